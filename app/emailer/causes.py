"""Who caused an email (an account, an anonymous client address, or the system) and each cause's daily cap.

Mail of a purpose in CAUSE_CAPPED counts against the cap of its cause: no one account or client address can queue
more than a small share of the day's budget. Over the cap the email is not queued and the refusal is counted
(shown on /dev/mail). Every role has its cap (ROLE_CAP_SETTING, checked at start-up); alerts and system mail
have no cause cap; bulk mail is held to the budget (app/emailer/budget.py).

Security mail that anyone may make us send to an address no account has proved yet (OPEN_TEMPLATES: the
registration's verification link) also counts against one ceiling shared by every anonymous client,
MAIL_ANONYMOUS_SECURITY_SHARE of the day, below the security reserve: registrations from many addresses cannot
starve the password resets of known accounts. IPv6 clients are counted by their /64 (one household or host).
"""
import ipaddress
import math
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_login import current_user

from app.limits import Limit, take_up_to, top
from app.models.accounts import Role
from app.models.mail import Purpose

SYSTEM = "system"
ANONYMOUS = "ip"
CAUSE_CAPPED: dict[Purpose, bool] = {Purpose.SECURITY: True, Purpose.ALERT: False, Purpose.URGENT: True,
                                     Purpose.NOTICE: True, Purpose.BULK: False}
ROLE_CAP_SETTING: dict[Role, str] = {Role.STUDENT: "MAIL_CAUSE_SHARE_STUDENT", Role.ADMIN: "MAIL_CAUSE_SHARE_ADMIN",
                                     Role.DEVELOPER: "MAIL_CAUSE_SHARE_ADMIN", Role.STAFF: "MAIL_CAUSE_SHARE_STAFF"}
OPEN_TEMPLATES = frozenset({"verify_email"})
CEILING = "anonymous-security"  # the counter of OPEN_TEMPLATES mail of every anonymous client together
CAP_SETTING = {**{role.value: setting for role, setting in ROLE_CAP_SETTING.items()},
               ANONYMOUS: "MAIL_CAUSE_SHARE_ANONYMOUS", CEILING: "MAIL_ANONYMOUS_SECURITY_SHARE"}
WINDOW = timedelta(hours=24)
PREFIX = "mail:"


def settings_problem(config) -> str | None:
    """Why the cap settings cannot work (start-up check), or None: every role and purpose must have its setting,
    and the anonymous ceiling must leave room for resets inside the security share."""
    if missing := [role.value for role in Role if role not in ROLE_CAP_SETTING]:
        return f"no mail cap setting for the role(s) {', '.join(missing)} (app/emailer/causes.py ROLE_CAP_SETTING)"
    if missing := [purpose.value for purpose in Purpose if purpose not in CAUSE_CAPPED]:
        return f"purpose(s) {', '.join(missing)} not listed in app/emailer/causes.py CAUSE_CAPPED"
    if unset := [name for name in CAP_SETTING.values() if config.get(name) is None]:
        return f"{unset[0]} is not set"
    if config["MAIL_ANONYMOUS_SECURITY_SHARE"] >= config["MAIL_SHARE_SECURITY"] > 0:
        return (f"MAIL_ANONYMOUS_SECURITY_SHARE ({config['MAIL_ANONYMOUS_SECURITY_SHARE']:g}) must be below "
                f"MAIL_SHARE_SECURITY ({config['MAIL_SHARE_SECURITY']:g}): resets of known accounts need room")
    return None


def of_user(user) -> str:
    return f"{Role(user.role).value}:{user.id}"


def client_key(address: str | None) -> str:
    """A client address as limits count it: IPv4 as is, IPv6 by its /64 (one host can use a whole /64)."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:45]
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def of_request() -> str:
    """The signed-in account, else the client address; `system` outside a request (CLI, worker)."""
    if not has_request_context():
        return SYSTEM
    if current_user.is_authenticated:
        return of_user(current_user)
    return f"{ANONYMOUS}:{client_key(request.remote_addr)}"[:64]


def cap(cause: str) -> int | None:
    """How many capped emails `cause` may queue in 24 hours (None: no cap)."""
    setting = CAP_SETTING.get(cause.partition(":")[0])
    if setting is None:
        return None
    return max(1, math.floor(int(current_app.config["MAIL_DAILY_LIMIT"]) * current_app.config[setting]))


def limits(cause: str, purpose: Purpose, template: str) -> tuple[Limit, ...]:
    """The limits a new email of `template` counts against: its cause's cap, and the anonymous ceiling."""
    purpose = Purpose(purpose)
    found = []
    if CAUSE_CAPPED[purpose] and (limit := cap(cause)) is not None:
        found.append(Limit(PREFIX + cause, limit, WINDOW, lock=cause))
    if purpose == Purpose.SECURITY and template in OPEN_TEMPLATES and cause.startswith(ANONYMOUS + ":"):
        found.append(Limit(PREFIX + CEILING, cap(CEILING), WINDOW, lock=CEILING))
    return tuple(found)


def admit_up_to(cause: str, purpose: Purpose, units: int, template: str = "") -> int:
    """Count up to `units` new emails against the limits of `cause` (and the anonymous ceiling), as many as they
    have room for (the rest counted as held back); returns how many."""
    found = limits(cause, purpose, template)
    return units if not found or units <= 0 else take_up_to(*found, units=units)


def top_causes(count: int = 10) -> list[dict]:
    """The causes that queued or were refused the most in the last 24 hours."""
    return [{"cause": cause, "queued": queued, "held_back": held, "cap": cap(cause)}
            for cause, queued, held in top(PREFIX, WINDOW, count)]
