#!/usr/bin/env bash
# Serves the site and runs the background worker (e-mails) beside it, under
# scripts/worker.sh, which starts it again if it stops (the database restarted); Ctrl+C
# stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
# Links in e-mails (sent by the worker and by the site) go to the address served here,
# unless NABOLAGET_SITE_URL says otherwise.
export NABOLAGET_SITE_URL="${NABOLAGET_SITE_URL:-http://$host:$port}"
bash scripts/worker.sh &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo ""
echo "  Nabolaget is running: open http://$host:$port/ in your browser (Ctrl+C stops it)."
echo "  Links in e-mails go to $NABOLAGET_SITE_URL (NABOLAGET_SITE_URL)."
echo "  E-mails are printed here (set DJANGO_EMAIL_BACKEND to send them for real)."
echo ""
.venv/bin/python manage.py runserver "$host:$port"
