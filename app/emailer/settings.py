"""Mail settings with their defaults (app/config.py loads the documented ones; the rest may be overridden
in the app config or by an environment variable of the same name)."""
import os

from flask import current_app

DEFAULTS = {
    "MAIL_RETRY_BASE_SECONDS": 60.0,      # first retry after a transient failure (doubles, with jitter)
    "MAIL_RETRY_MAX_SECONDS": 3600.0,     # longest wait between two retries
    "MAIL_PAUSE_THROTTLE_SECONDS": 120.0,  # 421 / 454 throttling: pause all sending (doubles per repeat)
    "MAIL_PAUSE_QUOTA_SECONDS": 3600.0,    # 550 5.4.5 daily limit
    "MAIL_PAUSE_AUTH_SECONDS": 600.0,      # 535 authentication failure
    "MAIL_PAUSE_MAX_SECONDS": 24 * 3600.0,
    "MAIL_POLL_SECONDS": 2.0,              # worker idle poll
    "MAIL_FLUSH_EVERY": 50,                # outcomes are written at least every N messages ...
    "MAIL_FLUSH_SECONDS": 1.0,             # ... or every so many seconds
    "MAIL_LEASE_SECONDS": None,            # default: max(60, 10 x MAIL_TIMEOUT), renewed with every flush
    "MAIL_SHOW_CAUGHT": False,             # /dev/mail lists the catcher's messages (always in debug mode)
    "MAIL_CATCHER_DIR": None,              # default: instance/mail
    "MAIL_CA_FILE": None,                  # CA bundle to verify the SMTP server's certificate (default: system CAs)
}


def _parse(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int | float):
        return type(default)(raw)
    return raw


def setting(key: str):
    """A mail setting from the app config, else the environment, else its default."""
    config = current_app.config
    default = DEFAULTS[key]
    if key in config:
        value = config[key]
    elif os.environ.get(key):
        value = _parse(os.environ[key], default)
    else:
        value = default
    if value is None and key == "MAIL_LEASE_SECONDS":
        return max(60.0, 10 * float(config["MAIL_TIMEOUT"]))
    if value is None and key == "MAIL_CATCHER_DIR":
        return os.path.join(current_app.instance_path, "mail")
    if key == "MAIL_LEASE_SECONDS":
        return float(value)
    return value
