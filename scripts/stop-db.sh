#!/usr/bin/env bash
# Stops the private PostgreSQL cluster that ensure-db.sh started, if any.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pg_major=$(ls /usr/lib/postgresql | sort -n | tail -1)
for data in "$root/.local/pgdata" /var/tmp/nabolaget-pg-$(echo "$root" | md5sum | cut -c1-10); do
  [ -s "$data/PG_VERSION" ] || continue
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "/usr/lib/postgresql/$pg_major/bin/pg_ctl" -D "$data" stop -m fast || true
  else
    "/usr/lib/postgresql/$pg_major/bin/pg_ctl" -D "$data" stop -m fast || true
  fi
done
