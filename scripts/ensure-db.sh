#!/usr/bin/env bash
# Makes sure a PostGIS database is there for Nabolaget.
#
# With DATABASE_URL set, that server is used as it is (README, "Use your own
# PostGIS", says what a DBA sets up). Without it, a private PostgreSQL cluster is
# kept under .local/pgdata (NABOLAGET_PGDATA), listening on
# 127.0.0.1:${NABOLAGET_PGPORT:-54329}, and started if it is not running.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# "postgres" system user.
#
# Two roles, neither a superuser: nabolaget_owner owns the tables and runs the
# migrations; nabolaget (the site and the worker) reads and writes rows only
# (scripts/db-grants.sql). PostGIS (and pg_trgm, for the address suggestions) is created
# here, once, by the superuser, in the
# database and in template1, so that the test and restore databases the owner
# creates have it. A cluster made by an earlier version (nabolaget a superuser
# owning everything, synchronous_commit off) is brought to this state.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
  echo "Using DATABASE_URL (${DATABASE_URL%%@*}@…)."
  exit 0
fi

root=$(cd "$(dirname "$0")/.." && pwd)
port=${NABOLAGET_PGPORT:-54329}
pg_major=$(ls /usr/lib/postgresql | sort -n | tail -1)
bin=/usr/lib/postgresql/${pg_major}/bin
data=${NABOLAGET_PGDATA:-$root/.local/pgdata}
log=${NABOLAGET_PGLOG:-$root/.local/postgresql.log}
mkdir -p "$root/.local"

run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "$(id -u)" -eq 0 ]; then
  # The postgres user must be able to reach the data folder.
  if ! runuser -u postgres -- test -x "$root/.local" 2>/dev/null; then
    chmod o+x "$root/.local" 2>/dev/null || true
  fi
  if ! runuser -u postgres -- test -x "$root/.local" 2>/dev/null; then
    data=/var/tmp/nabolaget-pg-$(echo "$root" | md5sum | cut -c1-10)
    log=$data.log
    echo "The postgres user cannot reach $root; keeping the cluster in $data instead."
  fi
fi

if [ ! -s "$data/PG_VERSION" ]; then
  echo "Creating a private PostgreSQL ${pg_major} cluster in $data"
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  chmod 700 "$data"
  run_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '/tmp'
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
jit = off
CONF
fi
# Every commit is on disk before it is acknowledged (synchronous_commit on, the
# default): an answer 201 and its receipt e-mail survive a crash of the server.
# Earlier versions turned it off for speed; that line goes, on existing clusters too.
if grep -q '^synchronous_commit *= *off' "$data/postgresql.conf" 2>/dev/null; then
  echo "Turning synchronous_commit back on in $data/postgresql.conf"
  run_pg sed -i 's/^synchronous_commit *= *off/#&  (removed: commits must be durable)/' \
    "$data/postgresql.conf"
fi

touch "$log"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$log"
if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  echo "Starting PostgreSQL on 127.0.0.1:$port (log: $log)"
  run_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
fi

psql_pg() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
owner=nabolaget_owner
web=nabolaget
psql_pg -d postgres -v owner="$owner" -v web="$web" <<'SQL'
SET client_min_messages = error;
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner')
UNION ALL
SELECT format('CREATE ROLE %I', :'web') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'web')
\gexec
ALTER ROLE :"owner" LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"web" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
REVOKE pg_read_server_files, pg_write_server_files, pg_execute_server_program FROM :"web";
REVOKE pg_read_server_files, pg_write_server_files, pg_execute_server_program FROM :"owner";
ALTER SYSTEM RESET synchronous_commit;
DO $$ BEGIN PERFORM pg_reload_conf(); END $$;
SELECT format('CREATE DATABASE nabolaget OWNER %I', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'nabolaget')
\gexec
SQL
# Databases the web role owned (made by an earlier version, test and bench databases
# included) now belong to the owner, with everything in them.
for db in $(psql_pg -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND datname <> 'template1'
    AND (datdba = '$web'::regrole OR datname = 'nabolaget')"); do
  psql_pg -d "$db" -c "ALTER DATABASE \"$db\" OWNER TO $owner" -c "REASSIGN OWNED BY $web TO $owner"
  psql_pg -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm"
  psql_pg -d "$db" -v owner="$owner" -v web="$web" -f "$root/scripts/db-grants.sql"
done
psql_pg -d template1 -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm"
psql_pg -d template1 -v owner="$owner" -v web="$web" -f "$root/scripts/db-grants.sql"
