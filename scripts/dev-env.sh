# Sourced by scripts/dev.sh: the development environment of `make run`, from the working directory's .env and
# the environment. A variable set in either wins over the defaults derived here.

# The value of NAME in the environment or in .env (empty when neither sets it).
configured() {
  local name=$1
  if [ -n "${!name:-}" ]; then printf '%s' "${!name}"; return; fi
  [ -f .env ] && sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$name[[:space:]]*=[[:space:]]*//p" .env | tail -n 1
}

# Export NAME=VALUE unless the environment or .env already sets NAME.
default() { [ -n "$(configured "$1")" ] || export "$1=$2"; }

export FLASK_APP=wsgi APP_ENV=${APP_ENV:-development} FLASK_RUN_PORT=${FLASK_RUN_PORT:-5000}
CATCHER_PORT=${MAIL_CATCHER_PORT:-1025}
# Links in emails and on the QR posters point at the port the app listens on.
default BASE_URL "http://127.0.0.1:$FLASK_RUN_PORT"
# Issue emails leave within seconds, so a newcomer watching /dev/mail sees them (production: 60 s and 5 min).
default ISSUE_MAIL_DELAY 5
default ISSUE_NEW_MAIL_DELAY 10
# Point the app at the catcher whatever .env says (exported variables win over .env).
export MAIL_SERVER=127.0.0.1 MAIL_PORT=$CATCHER_PORT MAIL_USE_TLS= MAIL_USE_SSL= MAIL_USERNAME= MAIL_PASSWORD=
export MAIL_POLL_SECONDS=${MAIL_POLL_SECONDS:-1}
