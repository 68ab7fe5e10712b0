#!/usr/bin/env bash
# Entrypoint of the compose stack's database image (db/postgres/Dockerfile): loads the pgBackRest
# secrets into the environment (db/pgbackrest/secrets.sh) so that PostgreSQL's archive_command and
# restore_command can write and read the encrypted repository, then hands over to the official
# image's entrypoint (initdb on an empty volume, then the server as the postgres user).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../pgbackrest/secrets.sh
source /usr/local/lib/slipway-backup/secrets.sh
slipway_load_backup_secrets
exec docker-entrypoint.sh "$@"
