#!/usr/bin/env bash
# Installs the Debian packages Nabolaget needs, only those that are missing.
# Idempotent: a second run installs nothing and takes a second.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

updated=0
apt_install() {
  [ "$#" -eq 0 ] && return 0
  echo "Installing system packages: $*"
  if [ "$updated" -eq 0 ]; then
    as_root apt-get update -qq
    updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# PostgreSQL first: the PostGIS package is named after the installed major version.
apt_install $(missing postgresql postgresql-contrib)
pg_major=$(ls /usr/lib/postgresql | sort -n | tail -1)
apt_install $(missing "postgresql-${pg_major}-postgis-3" gdal-bin gettext chromium \
  fonts-dejavu-core fonts-noto-color-emoji python3-venv \
  libpango-1.0-0 libpangoft2-1.0-0)
