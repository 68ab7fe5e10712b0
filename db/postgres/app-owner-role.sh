#!/usr/bin/env bash
# The compose stack's application database owner (ADR 0010, docs/deployment.md "Database roles").
#
# The postgres image makes POSTGRES_USER (`postgres`) a superuser, and superusers bypass row-level
# security. That role only initialises and operates the cluster (backups, restores, drills); the app
# and the migrator connect as SLIPWAY_DATABASE_OWNER (default `slipway`), created here:
#   LOGIN, NOSUPERUSER, NOBYPASSRLS, NOCREATEDB, NOCREATEROLE, NOREPLICATION, owner of POSTGRES_DB,
#   with the password from SLIPWAY_DATABASE_PASSWORD_FILE,
# and the application role slipway_app (NOLOGIN, exactly as migration 0001 defines it) granted to it,
# so that the migrator needs no CREATEROLE (0001 finds both and changes nothing).
#
# The image runs this once, as /docker-entrypoint-initdb.d/10-app-owner-role.sh, when it initialises
# an empty volume: as the postgres OS user, on the Unix socket of the temporary server, with
# POSTGRES_USER and POSTGRES_DB set. Rerunning it is safe (it converges), and it also moves an
# existing database over: every object in POSTGRES_DB that POSTGRES_USER owns is given to the owner
# (the migration from a superuser-owned deployment, docs/deployment.md).
set -Eeuo pipefail

owner=${SLIPWAY_DATABASE_OWNER:-slipway}
password_file=${SLIPWAY_DATABASE_PASSWORD_FILE:?SLIPWAY_DATABASE_PASSWORD_FILE must name the owner password file (secrets/database_password.txt)}
if [[ ! -r $password_file ]]; then
  echo "app-owner-role: $password_file is not readable by $(id -un) (uid $(id -u)): see secrets/README.md" >&2
  exit 1
fi
password=$(<"$password_file")
password=${password%$'\n'}
if [[ ${#password} -lt 16 ]]; then
  echo "app-owner-role: $password_file holds no password of at least 16 characters" >&2
  exit 1
fi
if [[ $owner == "$POSTGRES_USER" ]]; then
  echo "app-owner-role: the owner ($owner) must not be the superuser POSTGRES_USER" >&2
  exit 1
fi

# The password reaches psql through its environment (\getenv), never its command line.
SLIPWAY_DATABASE_OWNER=$owner SLIPWAY_DATABASE_PASSWORD=$password \
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --quiet --dbname "$POSTGRES_DB" <<'SQL'
\getenv owner SLIPWAY_DATABASE_OWNER
\getenv password SLIPWAY_DATABASE_PASSWORD
\getenv database POSTGRES_DB
\getenv superuser POSTGRES_USER

SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT PASSWORD :'password';

-- Migration 0001's definition; 0001 creates it only where it is missing.
SELECT 'CREATE ROLE slipway_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slipway_app') \gexec
-- Granted by a superuser: SET is allowed (PostgreSQL 16+ defaults it to TRUE), so withTenant's
-- SET LOCAL ROLE slipway_app works.
GRANT slipway_app TO :"owner";

ALTER DATABASE :"database" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"owner";

-- An existing database (a deployment that connected as the superuser): hand every object the
-- superuser owns here to the owner. REASSIGN OWNED cannot do it for the bootstrap superuser, which
-- also owns the system catalogs. Column-owned sequences follow their tables.
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, :'owner')
  FROM pg_namespace n
  WHERE n.nspowner = :'superuser'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
\gexec
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relowner = :'superuser'::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
\gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE p.proowner = :'superuser'::regrole AND p.prokind IN ('f', 'p')
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
\gexec
SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, :'owner')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typowner = :'superuser'::regrole AND t.typtype IN ('e', 'd', 'r')
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
\gexec
SQL
echo "app-owner-role: $owner (no superuser, no BYPASSRLS) owns database $POSTGRES_DB and may SET ROLE slipway_app"
