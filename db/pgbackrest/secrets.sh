# shellcheck shell=bash
# Sourced (never run) by the database image's entrypoint and by slipway-backup, before any
# pgBackRest call, so that PostgreSQL's archive_command and the scheduler see the same settings:
#
# - every PGBACKREST_<OPTION>_FILE variable (a Docker secret) becomes PGBACKREST_<OPTION>, the
#   environment form pgBackRest reads (e.g. PGBACKREST_REPO1_CIPHER_PASS_FILE -> the passphrase);
# - the off-site S3 repository (repo2, offsite/s3.conf beside pgbackrest.conf) is switched on when
#   BACKUP_S3_BUCKET is set, with BACKUP_S3_ENDPOINT, BACKUP_S3_REGION and the keys from
#   BACKUP_S3_KEY_FILE / BACKUP_S3_KEY_SECRET_FILE. Off when BACKUP_S3_BUCKET is empty.
#
# Values never reach the process list or a log line; a missing or empty secret stops the caller.
# Loading twice is harmless (a shell in the restore container, then slipway-backup inside it).

slipway_read_secret() { # NAME_OF_FILE_VARIABLE -> prints the file's content without trailing newlines
  local variable=$1 file=${!1:-}
  if [[ -z $file ]]; then
    echo "secrets: $variable is not set" >&2
    return 1
  fi
  if [[ ! -r $file ]]; then
    echo "secrets: $variable: cannot read $file" >&2
    return 1
  fi
  local value
  value=$(<"$file")
  if [[ -z $value ]]; then
    echo "secrets: $variable: $file is empty" >&2
    return 1
  fi
  printf '%s' "$value"
}

slipway_load_backup_secrets() {
  local variable value
  for variable in $(compgen -e); do
    [[ $variable == PGBACKREST_*_FILE ]] || continue
    value=$(slipway_read_secret "$variable") || return 1
    export "${variable%_FILE}=$value"
    unset "$variable"
  done

  if [[ -n ${BACKUP_S3_BUCKET:-} ]]; then
    local config=${PGBACKREST_CONFIG:-/etc/pgbackrest/pgbackrest.conf}
    export PGBACKREST_CONFIG_INCLUDE_PATH="${config%/*}/offsite"
    export PGBACKREST_REPO2_S3_BUCKET=$BACKUP_S3_BUCKET
    export PGBACKREST_REPO2_S3_ENDPOINT=${BACKUP_S3_ENDPOINT:?BACKUP_S3_ENDPOINT is required when BACKUP_S3_BUCKET is set}
    export PGBACKREST_REPO2_S3_REGION=${BACKUP_S3_REGION:?BACKUP_S3_REGION is required when BACKUP_S3_BUCKET is set}
    value=$(slipway_read_secret BACKUP_S3_KEY_FILE) || return 1
    export PGBACKREST_REPO2_S3_KEY=$value
    value=$(slipway_read_secret BACKUP_S3_KEY_SECRET_FILE) || return 1
    export PGBACKREST_REPO2_S3_KEY_SECRET=$value
    # The off-site copy is encrypted with the same passphrase as the local repository.
    export PGBACKREST_REPO2_CIPHER_PASS=${PGBACKREST_REPO1_CIPHER_PASS:-}
  fi
}
