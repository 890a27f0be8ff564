"""Queries and actions behind the developer error dashboard."""
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.converters import whole_number
from app.dev.hourly import hourly_series
from app.extensions import db
from app.models.base import utcnow
from app.models.errors import ErrorGroup, ErrorOccurrence, ErrorStatus
from app.text import without_control

STATUS_FILTERS = ("open", "muted", "resolved", "all")
ACTIONS = {"resolve": ErrorStatus.RESOLVED, "mute": ErrorStatus.MUTED, "reopen": ErrorStatus.OPEN}
LIST_COLUMNS = (ErrorGroup.title, ErrorGroup.source, ErrorGroup.status, ErrorGroup.count, ErrorGroup.first_seen,
                ErrorGroup.last_seen)
_REFERENCE = re.compile(r"^[2-9A-Z]{4}-?[2-9A-Z]{4}$")


@dataclass
class Filters:
    status: str = "open"
    source: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        status = args.get("status", "open")
        return cls(status=status if status in STATUS_FILTERS else "open", source=args.get("source", "")[:120],
                   q=without_control(args.get("q", "")).strip()[:200], page=whole_number(args.get("page")) or 1)

    def args(self, **changes) -> dict:
        """Query-string arguments for a link to these filters with `changes` applied."""
        values = {"status": self.status, "source": self.source, "q": self.q, "page": self.page, **changes}
        defaults = {"status": "open", "page": 1}
        return {k: v for k, v in values.items() if v and defaults.get(k) != v}


@dataclass
class GroupPage:
    groups: list[sa.Row]
    total: int
    page: int
    pages: int
    series: dict[int, list[int]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)


def _search(q: str):
    """Text search in title, type and source; a reference code finds the group it belongs to."""
    code = q.upper().replace(" ", "")
    if _REFERENCE.match(code):
        code = code if "-" in code else f"{code[:4]}-{code[4:]}"
        by_reference = sa.select(ErrorOccurrence.group_id).where(ErrorOccurrence.reference == code)
        return ErrorGroup.id.in_(by_reference)
    return sa.or_(ErrorGroup.title.icontains(q, autoescape=True), ErrorGroup.source.icontains(q, autoescape=True),
                  ErrorGroup.error_type.icontains(q, autoescape=True))


def facets() -> list[sa.Row]:
    """(source, status, groups) for every combination: the source list and the totals in one query."""
    return db.session.execute(sa.select(ErrorGroup.source, ErrorGroup.status, sa.func.count())
                              .group_by(ErrorGroup.source, ErrorGroup.status)).all()


def list_groups(filters: Filters, page_size: int, now: datetime | None = None) -> GroupPage:
    """One page of groups, most recently seen first, with 24 hourly counts each for the sparkline."""
    where = []
    if filters.status != "all":
        where.append(ErrorGroup.status == ErrorStatus(filters.status))
    if filters.source:
        where.append(ErrorGroup.source == filters.source)
    counts = facets()
    status_counts = dict.fromkeys(STATUS_FILTERS, 0)
    for source, status, n in counts:
        if filters.source in ("", source):
            status_counts[status] += n
            status_counts["all"] += n
    if filters.q:
        where.append(_search(filters.q))
        total = db.session.scalar(sa.select(sa.func.count(ErrorGroup.id)).where(*where)) or 0
    else:
        total = status_counts[filters.status]
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    groups = db.session.execute(
        sa.select(ErrorGroup.id, *LIST_COLUMNS).where(*where)
        .order_by(ErrorGroup.last_seen.desc(), ErrorGroup.id.desc())
        .offset((page - 1) * page_size).limit(page_size)).all()
    series = hourly_series([g.id for g in groups], 24, now or utcnow())
    return GroupPage(groups=groups, total=total, page=page, pages=pages, series=series,
                     sources=sorted({source for source, _status, _n in counts}), status_counts=status_counts)


def recent_occurrences(group_id: int, limit: int = 25) -> list[ErrorOccurrence]:
    return list(db.session.scalars(
        sa.select(ErrorOccurrence).where(ErrorOccurrence.group_id == group_id)
        .order_by(ErrorOccurrence.id.desc()).limit(limit)))


def change_status(group: ErrorGroup, action: str) -> str:
    """Resolve, mute or reopen a group; returns a message for the developer."""
    group.status = ACTIONS[action]
    group.status_changed_at = utcnow()
    db.session.commit()
    return {"resolve": "Marked resolved: a new occurrence will reopen it and alert.",
            "mute": "Muted: still counted, never alerts.",
            "reopen": "Reopened."}[action]


def mail_banner() -> list[str]:
    """Warnings about the mail channel (alerts travel through it), from the emailer's health figures."""
    try:
        from app.emailer.health import mail_health

        health = mail_health()
    except Exception as exc:  # noqa: BLE001 - the dashboard must load even when the emailer is broken
        db.session.rollback()
        return [f"Mail health could not be read ({type(exc).__name__})."]
    warnings = []
    if health.get("paused") or health.get("paused_until"):
        until = health.get("paused_until") or "further notice"
        reason = health.get("paused_reason")
        warnings.append(f"Mail is paused until {until}" + (f" ({reason})" if reason else "")
                        + ". Alerts wait in the queue.")
    warning = _queue_warning(health)
    if warning:
        warnings.append(warning)
    return warnings


def _queue_warning(health: dict) -> str | None:
    """A warning when the queue outgrows the budget: more waiting than can leave within a day."""
    depth = health.get("queue_depth") or 0
    left = health.get("budget_left")
    clears = health.get("queue_clears_at")
    late = clears is not None and datetime.fromisoformat(clears) > utcnow() + timedelta(hours=24)
    if not (health.get("queue_growing") or late or depth >= current_app.config["ERRORLOG_QUEUE_WARNING"]
            or (left is not None and depth > left)):
        return None
    extra = f", more than today's budget left ({left})" if left is not None and depth > left else ""
    if clears:
        extra += f"; it should clear around {clears} UTC"
    return f"The mail queue keeps growing: {depth} emails waiting{extra}."
