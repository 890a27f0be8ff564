"""Who caused an email (an account, an anonymous client address, or the system) and each cause's daily cap.

Security, urgent and notice mail count against the cap of its cause: no one account or client address can queue
more than a small share of the day's budget. Over the cap the email is not queued and the refusal is counted
(shown on /dev/mail). Alerts and system mail have no cause cap; bulk mail is held to its own budget share.
"""
import math
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_login import current_user

from app.limits import Limit, take, take_up_to, top
from app.models.mail import Purpose

SYSTEM = "system"
CAPPED = (Purpose.SECURITY, Purpose.URGENT, Purpose.NOTICE)
WINDOW = timedelta(hours=24)
PREFIX = "mail:"
CAP_SETTING = {"student": "MAIL_CAUSE_SHARE_STUDENT", "admin": "MAIL_CAUSE_SHARE_ADMIN",
               "developer": "MAIL_CAUSE_SHARE_ADMIN", "ip": "MAIL_CAUSE_SHARE_ANONYMOUS"}


def of_user(user) -> str:
    return f"{user.role.value}:{user.id}"


def of_request() -> str:
    """The signed-in account, else the client address; `system` outside a request (CLI, worker)."""
    if not has_request_context():
        return SYSTEM
    if current_user.is_authenticated:
        return of_user(current_user)
    return f"ip:{request.remote_addr or 'unknown'}"[:64]


def cap(cause: str) -> int | None:
    """How many capped emails `cause` may queue in 24 hours (None: no cap)."""
    setting = CAP_SETTING.get(cause.partition(":")[0])
    if setting is None:
        return None
    return max(1, math.floor(int(current_app.config["MAIL_DAILY_LIMIT"]) * current_app.config[setting]))


def _limit(cause: str, purpose: Purpose) -> Limit | None:
    limit = cap(cause) if Purpose(purpose) in CAPPED else None
    return None if limit is None else Limit(PREFIX + cause, limit, WINDOW, lock=cause)


def admit(cause: str, purpose: Purpose, units: int = 1) -> bool:
    """Count `units` emails against the cap of `cause`; False (and counted as held back) when over it."""
    limit = _limit(cause, purpose)
    return limit is None or take(limit, units=units) is None


def admit_up_to(cause: str, purpose: Purpose, units: int) -> int:
    """Count up to `units` emails against the cap of `cause`, as many as it has room for (the rest counted as
    held back); returns how many."""
    limit = _limit(cause, purpose)
    return units if limit is None or units <= 0 else take_up_to(limit, units)


def top_causes(count: int = 10) -> list[dict]:
    """The causes that queued or were refused the most in the last 24 hours."""
    return [{"cause": cause, "queued": queued, "held_back": held, "cap": cap(cause)}
            for cause, queued, held in top(PREFIX, WINDOW, count)]
