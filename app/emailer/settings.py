"""Mail settings with their defaults (app/config.py loads the documented ones; the rest may be overridden)."""
from flask import current_app

DEFAULTS = {
    "MAIL_RETRY_BASE_SECONDS": 60,      # first retry after a transient failure (doubles, with jitter)
    "MAIL_RETRY_MAX_SECONDS": 3600,     # longest wait between two retries
    "MAIL_PAUSE_THROTTLE_SECONDS": 120,  # 421 / 454 throttling: pause all sending (doubles per repeat)
    "MAIL_PAUSE_QUOTA_SECONDS": 3600,    # 550 5.4.5 daily limit
    "MAIL_PAUSE_AUTH_SECONDS": 600,      # 535 authentication failure
    "MAIL_PAUSE_MAX_SECONDS": 24 * 3600,
    "MAIL_POLL_SECONDS": 2.0,            # worker idle poll
    "MAIL_FLUSH_EVERY": 20,              # outcomes written at least every N messages ...
    "MAIL_FLUSH_SECONDS": 1.0,           # ... or every so many seconds
    "MAIL_SHOW_CAUGHT": False,           # /dev/mail lists the catcher's messages (always on in debug mode)
}


def setting(key: str):
    """A mail setting from the app config, else its default."""
    config = current_app.config
    if key in config:
        return config[key]
    if key == "MAIL_LEASE_SECONDS":  # long enough for one batch step even when every socket call is slow
        return max(60.0, 10 * float(config["MAIL_TIMEOUT"]))
    if key == "MAIL_CATCHER_DIR":
        return current_app.instance_path + "/mail"
    return DEFAULTS[key]
