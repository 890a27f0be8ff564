#!/usr/bin/env bash
# Development run: SQLite + demo data + local mail catcher + mail worker + the web app on :5000.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi
export MAIL_SERVER=${MAIL_SERVER:-127.0.0.1} MAIL_PORT=${MAIL_PORT:-1025}
FLASK=.venv/bin/flask

$FLASK db upgrade
$FLASK seed-demo

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$FLASK mail catcher --port "$MAIL_PORT" & pids+=($!)
$FLASK mail worker & pids+=($!)
echo "Mail: caught messages are listed at http://127.0.0.1:5000/dev/mail (log in as dev@example.ac.za)"
$FLASK run --host 127.0.0.1 --port 5000 --debug
