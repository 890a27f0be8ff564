"""Queries and actions behind the developer error dashboard."""
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import load_only
from flask import current_app

from app.extensions import db
from app.models.base import utcnow
from app.models.errors import ErrorGroup, ErrorHourlyCount, ErrorOccurrence, ErrorStatus

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
        page = args.get("page", "1")
        return cls(status=status if status in STATUS_FILTERS else "open", source=args.get("source", "")[:120],
                   q=args.get("q", "").strip()[:200], page=int(page) if page.isdigit() and int(page) > 0 else 1)

    def args(self, **changes) -> dict:
        """Query-string arguments for a link to these filters with `changes` applied."""
        values = {"status": self.status, "source": self.source, "q": self.q, "page": self.page, **changes}
        defaults = {"status": "open", "page": 1}
        return {k: v for k, v in values.items() if v and defaults.get(k) != v}


@dataclass
class GroupPage:
    groups: list[ErrorGroup]
    total: int
    page: int
    pages: int
    series: dict[int, list[int]] = field(default_factory=dict)


def _search(q: str):
    """Text search in title, type and source; a reference code finds the group it belongs to."""
    code = q.upper().replace(" ", "")
    if _REFERENCE.match(code):
        code = code if "-" in code else f"{code[:4]}-{code[4:]}"
        by_reference = sa.select(ErrorOccurrence.group_id).where(ErrorOccurrence.reference == code)
        return ErrorGroup.id.in_(by_reference)
    return sa.or_(ErrorGroup.title.contains(q, autoescape=True), ErrorGroup.source.contains(q, autoescape=True),
                  ErrorGroup.error_type.contains(q, autoescape=True))


def list_groups(filters: Filters, page_size: int, now: datetime | None = None) -> GroupPage:
    """One page of groups, most recently seen first, with 24 hourly counts each for the sparkline."""
    where = []
    if filters.status != "all":
        where.append(ErrorGroup.status == ErrorStatus(filters.status))
    if filters.source:
        where.append(ErrorGroup.source == filters.source)
    if filters.q:
        where.append(_search(filters.q))
    total = db.session.scalar(sa.select(sa.func.count(ErrorGroup.id)).where(*where)) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    groups = list(db.session.scalars(
        sa.select(ErrorGroup).options(load_only(*LIST_COLUMNS)).where(*where).order_by(ErrorGroup.last_seen.desc(), ErrorGroup.id.desc())
        .offset((page - 1) * page_size).limit(page_size)))
    series = hourly_series([g.id for g in groups], 24, now or utcnow())
    return GroupPage(groups=groups, total=total, page=page, pages=pages, series=series)


def sources() -> list[str]:
    return list(db.session.scalars(sa.select(ErrorGroup.source).distinct().order_by(ErrorGroup.source)))


def _hours_since(start: datetime):
    """SQL for the whole hours between `start` and ErrorHourlyCount.hour (an integer, no datetime parsing)."""
    if db.engine.dialect.name == "sqlite":
        return sa.cast(sa.func.round((sa.func.julianday(ErrorHourlyCount.hour) - sa.func.julianday(start)) * 24),
                       sa.Integer)
    return sa.func.timestampdiff(sa.text("HOUR"), start, ErrorHourlyCount.hour)


def hourly_series(group_ids: list[int], hours: int, now: datetime) -> dict[int, list[int]]:
    """Counts per hour for the last `hours` hours (oldest first), for each group."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    series = {gid: [0] * hours for gid in group_ids}
    if not group_ids:
        return series
    index = _hours_since(start)
    where = (ErrorHourlyCount.group_id.in_(group_ids), ErrorHourlyCount.hour >= start)
    if hours <= 48:
        # One "index:count,..." string per group instead of a row per hour: far fewer rows to parse.
        # (48 entries stay below MySQL's default group_concat_max_len of 1024.)
        pairs = sa.cast(index, sa.String) + ":" + sa.cast(ErrorHourlyCount.count, sa.String)
        rows = db.session.connection().execute(
            sa.select(ErrorHourlyCount.group_id, sa.func.group_concat(pairs)).where(*where)
            .group_by(ErrorHourlyCount.group_id))
        points = ((gid, *map(int, pair.split(":"))) for gid, text in rows for pair in text.split(","))
    else:
        points = db.session.connection().execute(
            sa.select(ErrorHourlyCount.group_id, index, ErrorHourlyCount.count).where(*where))
    for group_id, position, count in points:
        if 0 <= position < hours:
            series[group_id][position] += count
    return series


def recent_occurrences(group_id: int, limit: int = 50) -> list[ErrorOccurrence]:
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
    depth = health.get("queue_depth") or 0
    left = health.get("budget_left")
    limit = current_app.config.get("ERRORLOG_QUEUE_WARNING", 500)
    if health.get("queue_growing") or depth >= limit or (left is not None and depth > left):
        extra = f", more than today's budget left ({left})" if left is not None and depth > left else ""
        warnings.append(f"The mail queue keeps growing: {depth} emails waiting{extra}.")
    return warnings
