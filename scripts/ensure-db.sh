#!/usr/bin/env bash
# Makes sure a PostGIS database is there for Nabolaget.
#
# With DATABASE_URL set, that server is used as it is (migrate creates the
# postgis extension). Without it, a private PostgreSQL cluster is kept under
# .local/pgdata, listening on 127.0.0.1:${NABOLAGET_PGPORT:-54329}, and started if
# it is not running. PostgreSQL refuses to run as root, so as root the cluster
# belongs to the "postgres" system user.
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
log=$root/.local/postgresql.log
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
synchronous_commit = off
jit = off
CONF
fi

touch "$log"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$log"
if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  echo "Starting PostgreSQL on 127.0.0.1:$port (log: $log)"
  run_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
fi

psql_pg() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'nabolaget'")" != "1" ]; then
  psql_pg -d postgres -c "CREATE ROLE nabolaget LOGIN SUPERUSER"
fi
if [ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'nabolaget'")" != "1" ]; then
  psql_pg -d postgres -c "CREATE DATABASE nabolaget OWNER nabolaget"
fi
psql_pg -d nabolaget -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"
