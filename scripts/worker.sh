#!/usr/bin/env bash
# Runs the background worker (manage.py procrastinate worker, arguments passed on) and
# starts it again whenever it stops without being asked to. procrastinate's worker exits
# when it loses its database (a PostgreSQL restart: "Side task listener failed ...
# stopping worker"); its unfinished job is put back in the queue by retry_stalled_jobs.
# Waits 1, 2, 4 ... up to 30 seconds between starts, from 1 again after a worker that ran
# for a minute. SIGTERM or SIGINT stops the worker (gracefully) and this loop.
# `make run` and `make worker` use it; in production systemd does the same (README).
set -uo pipefail
cd "$(dirname "$0")/.."

worker=""
stopping=0
stop() {
  stopping=1
  if [ -n "$worker" ]; then kill -TERM "$worker" 2>/dev/null || true; fi
}
trap stop INT TERM

delay=1
while [ "$stopping" -eq 0 ]; do
  started=$SECONDS
  .venv/bin/python manage.py procrastinate worker "$@" &
  worker=$!
  # wait returns early when a signal is trapped: wait until the worker has really ended.
  code=0
  while kill -0 "$worker" 2>/dev/null; do
    wait "$worker"
    code=$?
  done
  worker=""
  [ "$stopping" -eq 1 ] && break
  if ((SECONDS - started >= 60)); then delay=1; fi
  echo "worker.sh: the worker stopped (exit code $code); starting it again in ${delay} s" >&2
  sleep "$delay" &
  wait $! || true
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
