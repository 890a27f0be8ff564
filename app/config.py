"""Settings read from the environment (a `.env` file is read first when present)."""
import os
from pathlib import Path

from dotenv import load_dotenv


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> list[str]:
    return [item.strip().lower() for item in (value or "").split(",") if item.strip()]


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    load_dotenv(Path.cwd() / ".env")
    env = os.environ.get
    default_db = "sqlite:///" + os.path.join(instance_path, "rinaibra.db")
    return {
        "SECRET_KEY": env("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL") or default_db,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env("SESSION_COOKIE_SECURE")),
        "MAX_CONTENT_LENGTH": int(env("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        "UPLOAD_FOLDER": env("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads"),
        "BASE_URL": env("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "ALLOWED_EMAIL_DOMAINS": _list(env("ALLOWED_EMAIL_DOMAINS")),
        "DEVELOPER_EMAILS": _list(env("DEVELOPER_EMAILS")),
        "LOGIN_THROTTLE_LIMIT": int(env("LOGIN_THROTTLE_LIMIT", "10")),
        "LOGIN_THROTTLE_WINDOW": int(env("LOGIN_THROTTLE_WINDOW", "900")),
        "MAIL_SERVER": env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env("MAIL_PORT", "1025")),
        "MAIL_USE_TLS": _bool(env("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env("MAIL_USE_SSL")),
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "RINAIBRA <no-reply@rinaibra.local>"),
        "MAIL_TIMEOUT": float(env("MAIL_TIMEOUT", "30")),
        "MAIL_DAILY_LIMIT": int(env("MAIL_DAILY_LIMIT", "500")),
        "MAIL_RESERVE": float(env("MAIL_RESERVE", "0.1")),
        "MAIL_BATCH_SIZE": int(env("MAIL_BATCH_SIZE", "50")),
        "MAIL_MAX_AGE_HOURS": float(env("MAIL_MAX_AGE_HOURS", "96")),
        # Status emails wait this long so quick successive changes go out as one email.
        "ISSUE_MAIL_DELAY": int(env("ISSUE_MAIL_DELAY", "60")),
        "MOVE_IN_YEAR_START_MONTH": int(env("MOVE_IN_YEAR_START_MONTH", "1")),
        "MOVE_IN_REMINDER_COOLDOWN_HOURS": int(env("MOVE_IN_REMINDER_COOLDOWN_HOURS", "24")),
        "MOVE_IN_REMINDER_CAP": int(env("MOVE_IN_REMINDER_CAP", "5")),
        "MOVE_IN_INVITE_DAYS": int(env("MOVE_IN_INVITE_DAYS", "30")),
        "ERRORLOG_ALERT_INTERVAL": int(env("ERRORLOG_ALERT_INTERVAL", "3600")),
        "ERRORLOG_ALERT_DAILY_CAP": int(env("ERRORLOG_ALERT_DAILY_CAP", "20")),
        "ERRORLOG_SPIKE_PER_HOUR": int(env("ERRORLOG_SPIKE_PER_HOUR", "100")),
        "ERRORLOG_OCCURRENCES_PER_GROUP": int(env("ERRORLOG_OCCURRENCES_PER_GROUP", "50")),
        "ERRORLOG_HOURLY_RETENTION_DAYS": int(env("ERRORLOG_HOURLY_RETENTION_DAYS", "30")),
    }


def engine_options(uri: str) -> dict:
    """Connection pool settings that suit the database behind `uri`."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_recycle": 280}
