"""Every setting, its type and its one default, read from the environment once (a `.env` file first).

A value that does not parse is a start-up error naming the variable. Outside development (APP_ENV), the app
refuses to start without SECRET_KEY or without ALLOWED_EMAIL_DOMAINS (unless ALLOW_ANY_EMAIL_DOMAIN is set).
"""
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
ENVIRONMENTS = ("production", "development")
LANGUAGES = ("af", "en", "xh")  # Afrikaans, English, isiXhosa (app/languages.py)
PHOTO_STORES = ("folder", "database", "s3")  # app/storage/, app/storage/s3.py
DEV_SECRET_KEY = "dev-only-change-me"


class ConfigError(RuntimeError):
    """A setting is missing or does not parse; the message names the variable."""


def boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in TRUE | FALSE:
        raise ValueError("use 1/0, true/false, yes/no or on/off")
    return value in TRUE


def whole(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError("must not be negative")
    return value


def positive(raw: str) -> float:
    value = float(raw.strip())
    if not value > 0 or value == float("inf"):
        raise ValueError("must be a positive number")
    return value


def share(raw: str) -> float:
    value = float(raw.strip())
    if not 0 <= value <= 1:
        raise ValueError("must be a fraction from 0 to 1")
    return value


def lower_list(raw: str) -> list[str]:
    return [item.strip().lower() for item in raw.split(",") if item.strip()]


def house_addresses(raw: str) -> dict[str, str]:
    """`slug=address, slug=address` -> {slug: address}."""
    pairs = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        slug, sep, address = (piece.strip() for piece in item.partition("="))
        if not sep or not slug or "@" not in address:
            raise ValueError(f"{item!r}: use slug=address, separated by commas")
        pairs[slug.lower()] = address
    return pairs


def text(raw: str) -> str:
    return raw.strip()


def url(raw: str) -> str:
    return raw.strip().rstrip("/")


def environment(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ENVIRONMENTS:
        raise ValueError(f"use one of {', '.join(ENVIRONMENTS)}")
    return value


def time_zone(raw: str) -> str:
    """An IANA time zone name this machine's zone database knows."""
    value = raw.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known IANA time zone name, like Africa/Johannesburg or Europe/London") from None
    return value


def language(raw: str) -> str:
    value = raw.strip().lower()
    if value not in LANGUAGES:
        raise ValueError(f"use one of {', '.join(LANGUAGES)}")
    return value


def photo_store(raw: str) -> str:
    value = raw.strip().lower()
    if value not in PHOTO_STORES:
        raise ValueError(f"use one of {', '.join(PHOTO_STORES)}")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Any
    key: str | None = None  # the app.config key, when it differs from the variable's name

    @property
    def config_key(self) -> str:
        return self.key or self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("APP_ENV", environment, "production"),
    Setting("SECRET_KEY", text, None),
    Setting("DATABASE_URL", text, None, key="SQLALCHEMY_DATABASE_URI"),  # default: SQLite in the instance folder
    Setting("BASE_URL", url, "http://127.0.0.1:5000"),
    Setting("LOCAL_TIMEZONE", time_zone, "Africa/Johannesburg"),  # times are typed and shown in it, stored in UTC
    # The language of a first visit whose browser asks for none of ours, and of emails to people who chose none
    # and whose house has none
    Setting("DEFAULT_LANGUAGE", language, "en", key="BABEL_DEFAULT_LOCALE"),
    Setting("SESSION_COOKIE_SECURE", boolean, False),
    Setting("HEALTHZ_TOKEN", text, None),  # a monitor sending it as X-Healthz-Token sees /healthz's mail figures
    Setting("TRUSTED_PROXIES", whole, 0),  # reverse proxies in front of the app whose X-Forwarded-For is believed
    Setting("MAX_CONTENT_LENGTH", whole, 16 * 1024 * 1024),
    Setting("UPLOAD_FOLDER", text, None),  # default: instance/uploads
    Setting("PHOTO_STORE", photo_store, "folder"),  # database: photos in the database, shared by every host
    # PHOTO_STORE=s3: an S3-compatible object store (AWS S3, MinIO, SeaweedFS, Ceph RGW...) shared by every host
    Setting("S3_BUCKET", text, None),  # must exist; the app never creates it
    Setting("S3_ENDPOINT_URL", url, None),  # e.g. http://127.0.0.1:8333; empty: AWS S3 of S3_REGION
    Setting("S3_REGION", text, "us-east-1"),
    Setting("S3_ACCESS_KEY_ID", text, None),  # empty: boto3's own lookup (instance role, ~/.aws)
    Setting("S3_SECRET_ACCESS_KEY", text, None),
    Setting("PROMETHEUS_MULTIPROC_DIR", text, None),  # /metrics under gunicorn: a folder the workers share
    # Photo uploads, checked from each image's header before any pixel is decoded
    Setting("UPLOAD_MAX_PIXELS", whole, 24_000_000),          # one image
    Setting("UPLOAD_MAX_REQUEST_PIXELS", whole, 40_000_000),  # decoded for all images of one request together
    Setting("UPLOAD_DECODE_SLOTS", whole, 1),                 # images decoded at once in one process (>= 1)
    Setting("UPLOAD_MAX_PHOTOS", whole, 10),                  # images in one request
    Setting("ALLOWED_EMAIL_DOMAINS", lower_list, []),
    Setting("ALLOW_ANY_EMAIL_DOMAIN", boolean, False),
    Setting("DEVELOPER_EMAILS", lower_list, []),
    # Guessing limits (app/auth/guessing.py): per (account, client address), per account, per client address
    Setting("LOGIN_THROTTLE_LIMIT", whole, 10),           # failures per account and address ...
    Setting("LOGIN_THROTTLE_WINDOW", whole, 900),         # ... per this many seconds
    Setting("LOGIN_ACCOUNT_PER_DAY", whole, 50),          # failures per account in 24 hours, from any address
    Setting("LOGIN_DELAY_AFTER", whole, 5),               # failures on an account before each next one waits ...
    Setting("LOGIN_DELAY_MAX", whole, 900),               # ... 2^(n - LOGIN_DELAY_AFTER) seconds, at most this
    Setting("LOGIN_IP_PER_HOUR", whole, 30),              # failures per client address in an hour, any accounts
    Setting("SESSION_IDLE_DAYS", positive, 14.0),         # a login session unused this long ends ...
    Setting("SESSION_MAX_DAYS", positive, 30.0),          # ... and every session ends this long after it started
    # Accounts: registrations per client address; set-password and verification emails per address and per
    # client address (app/auth/account_mail.py)
    Setting("REGISTER_PER_HOUR", whole, 5),
    Setting("REGISTER_PER_DAY", whole, 20),
    Setting("ACCOUNT_MAIL_COOLDOWN_MINUTES", whole, 15),  # one link of each kind per address per cooldown
    Setting("ACCOUNT_MAIL_PER_DAY", whole, 3),            # links of each kind per address per 24 hours
    Setting("ACCOUNT_MAIL_PER_IP_HOUR", whole, 5),        # links one client address may ask for, any addresses
    Setting("INVITE_LINK_DAYS", whole, 7),  # an invitation's set-password link lives this long (a reset: 24 hours)
    Setting("AUTH_PASSWORDS", boolean, True),  # off: university sign-in only (no password pages)
    # University sign-in (OpenID Connect, app/auth/oidc.py): the provider is found by discovery at OIDC_ISSUER
    Setting("OIDC_ISSUER", url, None),
    Setting("OIDC_CLIENT_ID", text, None),
    Setting("OIDC_CLIENT_SECRET", str, None),
    Setting("OIDC_SCOPES", text, "openid email profile"),
    Setting("OIDC_EMAIL_CLAIM", text, "email"),  # Entra ID: often preferred_username
    Setting("OIDC_REQUIRE_EMAIL_VERIFIED", boolean, True),  # the ID token's email_verified must be true
    Setting("OIDC_ALLOWED_DOMAINS", lower_list, None),  # default: ALLOWED_EMAIL_DOMAINS
    Setting("OIDC_BUTTON_LABEL", text, "Sign in with your university account"),
    Setting("OIDC_TIMEOUT", positive, 10.0),  # seconds for each call to the provider (discovery, token, keys)
    # Mail transport
    Setting("MAIL_SERVER", text, "127.0.0.1"),
    Setting("MAIL_PORT", whole, 1025),
    Setting("MAIL_USE_TLS", boolean, False),
    Setting("MAIL_USE_SSL", boolean, False),
    Setting("MAIL_USERNAME", text, None),
    Setting("MAIL_PASSWORD", str, None),
    Setting("MAIL_DEFAULT_SENDER", text, "RINAIBRA <no-reply@rinaibra.local>"),
    Setting("MAIL_TIMEOUT", positive, 30.0),
    Setting("MAIL_CA_FILE", text, None),  # CA bundle to verify the SMTP server's certificate (default: system CAs)
    # DKIM signing (app/emailer/signing.py): all three, or none to send unsigned
    Setting("DKIM_SELECTOR", text, None),          # the key's DNS name is <selector>._domainkey.<domain>
    Setting("DKIM_DOMAIN", text, None),            # the signing domain (d=), usually MAIL_DEFAULT_SENDER's
    Setting("DKIM_PRIVATE_KEY_PATH", text, None),  # PEM RSA private key file, read and checked at start-up
    # Mail budget and worker
    Setting("MAIL_DAILY_LIMIT", whole, 500),
    # The most each purpose above bulk may reserve, as shares of MAIL_DAILY_LIMIT (together at most 1).
    Setting("MAIL_SHARE_SECURITY", share, 0.10),  # set/reset password, address verification
    Setting("MAIL_SHARE_ALERT", share, 0.05),     # developer alerts
    Setting("MAIL_SHARE_URGENT", share, 0.05),    # urgent-issue notices (sent before status mail)
    Setting("MAIL_SHARE_NOTICE", share, 0.40),    # issue status, new-issue and comment notices
    # Each reserves what its history says it needs in 24 hours (at most its share); bulk mail uses the rest.
    Setting("MAIL_RESERVE_MARGIN", float, 0.5),           # reserve = highest 24-hour use in 14 days x (1 + margin)
    Setting("MAIL_RESERVE_MINIMUM_SHARE", share, 0.01),   # ... and at least this share of the day
    # The most of the day's budget one cause (an account, or an anonymous client address) may queue.
    Setting("MAIL_CAUSE_SHARE_STUDENT", share, 0.02),
    Setting("MAIL_CAUSE_SHARE_ADMIN", share, 0.05),
    Setting("MAIL_CAUSE_SHARE_STAFF", share, 0.05),
    Setting("MAIL_CAUSE_SHARE_ANONYMOUS", share, 0.02),  # one client address (IPv6: its /64)
    # verification mail of every anonymous client together: below MAIL_SHARE_SECURITY, so resets keep room
    Setting("MAIL_ANONYMOUS_SECURITY_SHARE", share, 0.05),
    Setting("MAIL_BATCH_SIZE", whole, 50),
    Setting("MAIL_MAX_AGE_HOURS", positive, 96.0),
    Setting("MAIL_SENT_RETENTION_DAYS", positive, 30.0),    # `flask maintenance purge` deletes sent mail after this
    Setting("MAIL_FAILED_RETENTION_DAYS", positive, 90.0),  # ... and failed or unknown mail after this
    Setting("MAIL_RETRY_BASE_SECONDS", positive, 60.0),   # first retry after a transient failure (doubles, jittered)
    Setting("MAIL_RETRY_MAX_SECONDS", positive, 3600.0),  # longest wait between two retries
    Setting("MAIL_PAUSE_THROTTLE_SECONDS", positive, 120.0),  # 421 / 454: pause all sending (doubles per repeat)
    Setting("MAIL_PAUSE_QUOTA_SECONDS", positive, 3600.0),    # 550 5.4.5 daily limit
    Setting("MAIL_PAUSE_AUTH_SECONDS", positive, 600.0),      # 535 authentication failure
    Setting("MAIL_PAUSE_MAX_SECONDS", positive, 24 * 3600.0),
    Setting("MAIL_POLL_SECONDS", positive, 2.0),   # worker idle poll
    Setting("MAIL_FLUSH_SECONDS", positive, 5.0),  # outcomes are written at a batch's end or every so many seconds
    #                                                (the mail journal has each one at once)
    Setting("MAIL_LEASE_SECONDS", positive, None),  # default: max(60, 10 x MAIL_TIMEOUT), renewed with every flush
    Setting("MAIL_SHOW_CAUGHT", boolean, False),    # /dev/mail lists the catcher's messages (always in debug mode)
    Setting("MAIL_CATCHER_DIR", text, None),        # default: instance/mail
    # Issues, move-in, error log
    Setting("ISSUE_MAIL_DELAY", whole, 60),  # status emails wait this long so quick changes go out as one
    Setting("ISSUE_NEW_MAIL_DELAY", whole, 300),  # new-issue emails to admins gather this long (urgent: at once)
    Setting("ISSUE_REPORTS_PER_HOUR", whole, 10),  # a student's reports; over it the form answers 429
    Setting("ISSUE_REPORTS_PER_DAY", whole, 30),
    Setting("ISSUE_COMMENTS_PER_HOUR", whole, 20),  # a student's comments; over it the form answers 429
    Setting("ISSUE_COMMENTS_PER_DAY", whole, 60),
    Setting("ISSUE_ME_TOO_PER_HOUR", whole, 30),  # a student's "me too" presses (and unfollows); then 429
    Setting("ISSUE_ME_TOO_PER_DAY", whole, 100),
    # Response targets per urgency, in hours (a category may override them on /admin/targets)
    Setting("TARGET_URGENT_RESPONSE_HOURS", positive, 4.0),   # first admin response (status change or comment)
    Setting("TARGET_URGENT_FIX_HOURS", positive, 24.0),       # resolved (or closed)
    Setting("TARGET_NORMAL_RESPONSE_HOURS", positive, 48.0),
    Setting("TARGET_NORMAL_FIX_HOURS", positive, 168.0),
    # Who hears of an urgent report when no admin of its house can receive mail: one address for all houses,
    # and/or per house as "slug=address, slug=address" (the per-house one wins)
    Setting("URGENT_FALLBACK_EMAIL", text, None),
    Setting("URGENT_FALLBACK_BY_HOUSE", house_addresses, {}),
    Setting("MOVE_IN_YEAR_START_MONTH", whole, 1),
    Setting("MOVE_IN_REMINDER_COOLDOWN_HOURS", positive, 24.0),
    Setting("MOVE_IN_REMINDER_CAP", whole, 5),
    Setting("ERRORLOG_ALERT_INTERVAL", whole, 3600),
    Setting("ERRORLOG_ALERT_DAILY_CAP", whole, 20),
    Setting("ERRORLOG_SPIKE_PER_HOUR", whole, 100),
    Setting("ERRORLOG_OCCURRENCES_PER_GROUP", whole, 50),
    Setting("ERRORLOG_HOURLY_RETENTION_DAYS", whole, 30),
    Setting("ERRORLOG_OCCURRENCE_RETENTION_DAYS", positive, 90.0),  # purged; group counts stay exact
    Setting("ERRORLOG_PAGE_SIZE", whole, 25),
    Setting("ERRORLOG_QUEUE_WARNING", whole, 500),  # the dashboard banner shows from this queue depth
)

FIXED = {  # not settings: how the app always runs
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "STORAGE": None,  # tests may put another photo store here (app/storage/)
    "LANGUAGES": LANGUAGES,  # tests add a pseudo-language (tests/browser/test_pseudo_language.py)...
    "EXTRA_TRANSLATIONS": (),  # ...and the folder of its catalog
}


def instance_path(default: Path) -> str:
    """INSTANCE_PATH: where the SQLite file, uploads and caught mail live by default."""
    return os.environ.get("INSTANCE_PATH") or str(default)


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Each setting's value from `environ`, or its default when unset or empty."""
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is None or raw == "":
            values[setting.config_key] = setting.default
            continue
        try:
            values[setting.config_key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.name}={raw!r} is not valid: {exc}") from None
    return values


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The app's configuration: the environment, then `overrides` (tests), then derived values; validated."""
    load_dotenv(Path.cwd() / ".env")
    config = {**FIXED, **from_environment(os.environ), **(overrides or {})}
    development = config["APP_ENV"] == "development" or config.get("TESTING")
    if not config["SECRET_KEY"]:
        if not development:
            raise ConfigError("SECRET_KEY is not set: set it to a long random value (APP_ENV=development for a "
                              "local run uses a development key)")
        config["SECRET_KEY"] = DEV_SECRET_KEY
    if not development and not config["ALLOWED_EMAIL_DOMAINS"] and not config["ALLOW_ANY_EMAIL_DOMAIN"]:
        raise ConfigError("ALLOWED_EMAIL_DOMAINS is empty: list the university's email domains (or set "
                          "ALLOW_ANY_EMAIL_DOMAIN=1 to accept any domain on purpose)")
    if config["UPLOAD_DECODE_SLOTS"] < 1:
        raise ConfigError("UPLOAD_DECODE_SLOTS must be at least 1: photos are decoded one slot at a time")
    if config["INVITE_LINK_DAYS"] < 1:
        raise ConfigError("INVITE_LINK_DAYS must be at least 1: an invitation's link has to last a day or more")
    for urgency in ("URGENT", "NORMAL"):
        if config[f"TARGET_{urgency}_FIX_HOURS"] < config[f"TARGET_{urgency}_RESPONSE_HOURS"]:
            raise ConfigError(f"TARGET_{urgency}_FIX_HOURS is shorter than TARGET_{urgency}_RESPONSE_HOURS: an issue "
                              "cannot be due fixed before its first response")
    if problem := oidc_problem(config):
        raise ConfigError(problem)
    config["OIDC_ALLOWED_DOMAINS"] = config["OIDC_ALLOWED_DOMAINS"] or config["ALLOWED_EMAIL_DOMAINS"]
    from app.emailer import causes, forecast, signing  # dkimpy reads the key now: a bad one stops the start

    if problem := forecast.settings_problem(config) or causes.settings_problem(config) or \
            signing.settings_problem(config):
        raise ConfigError(problem)
    config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"] or \
        "sqlite:///" + os.path.join(instance_path, "rinaibra.db")
    config["UPLOAD_FOLDER"] = config["UPLOAD_FOLDER"] or os.path.join(instance_path, "uploads")
    config["MAIL_CATCHER_DIR"] = config["MAIL_CATCHER_DIR"] or os.path.join(instance_path, "mail")
    config["MAIL_LEASE_SECONDS"] = config["MAIL_LEASE_SECONDS"] or max(60.0, 10 * float(config["MAIL_TIMEOUT"]))
    if config["MAIL_LEASE_SECONDS"] < config["MAIL_FLUSH_SECONDS"] + config["MAIL_TIMEOUT"]:
        raise ConfigError(f"MAIL_LEASE_SECONDS={config['MAIL_LEASE_SECONDS']:g} is shorter than MAIL_FLUSH_SECONDS "
                          f"+ MAIL_TIMEOUT ({config['MAIL_FLUSH_SECONDS']:g} + {config['MAIL_TIMEOUT']:g}): a worker "
                          "renews its lease only when it writes, and another would take its rows while it sends")
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["BABEL_DEFAULT_TIMEZONE"] = config["LOCAL_TIMEZONE"]
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=config["SESSION_MAX_DAYS"])  # the cookie's own limit
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(config["SQLALCHEMY_DATABASE_URI"]))
    return config


def oidc_problem(config: Mapping[str, Any]) -> str | None:
    """What is wrong with the university sign-in settings, or None (whether the issuer answers is checked when
    the app starts: app/auth/oidc.py)."""
    if config["OIDC_ISSUER"] and not (config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"]):
        return "OIDC_ISSUER is set without OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: set both (from the app's " \
               "registration at the university's identity provider)"
    if not config["OIDC_ISSUER"] and not config["AUTH_PASSWORDS"]:
        return "AUTH_PASSWORDS is off but OIDC_ISSUER is not set: nobody could sign in"
    if config["OIDC_ISSUER"] and "openid" not in config["OIDC_SCOPES"].split():
        return "OIDC_SCOPES must include openid"
    return None


def engine_options(uri: str) -> dict:
    """Connection pool settings that suit the database behind `uri`."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    # READ COMMITTED: a statement after a lock sees what others committed (app/limits.py, the mail budget).
    return {"pool_pre_ping": True, "pool_recycle": 280, "isolation_level": "READ COMMITTED"}
