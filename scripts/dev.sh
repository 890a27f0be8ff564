#!/usr/bin/env bash
# Development run: SQLite + demo data + local mail catcher + mail worker + the web app on :5000.
# Mail goes to the catcher (never to a real server); a developer reads it at /dev/mail.
# Optional: FLASK_RUN_PORT (default 5000; BASE_URL follows it unless set), MAIL_CATCHER_PORT (default 1025),
# MAIL_CATCHER_DAILY_LIMIT (answer 550 5.4.5 past that many a day).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/dev-env.sh
FLASK=.venv/bin/flask

$FLASK db upgrade
$FLASK seed-demo

pids=()
cleanup() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

catcher_args=(--port "$CATCHER_PORT")
[ -n "${MAIL_CATCHER_DAILY_LIMIT:-}" ] && catcher_args+=(--daily-limit "$MAIL_CATCHER_DAILY_LIMIT")
$FLASK mail catcher "${catcher_args[@]}" & pids+=($!)
# Start the worker once the catcher answers, so the first emails are not put back for a retry.
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$CATCHER_PORT") 2>/dev/null && break
  sleep 0.2
done
$FLASK mail worker & pids+=($!)
echo "Mail: caught messages are listed at http://127.0.0.1:$FLASK_RUN_PORT/dev/mail (log in as dev@example.ac.za)"
$FLASK run --host 127.0.0.1 --debug  # port: FLASK_RUN_PORT
