"""The residence's local time (LOCAL_TIMEZONE). Every time is stored as naive UTC; people type and read local
time, shown with the zone's abbreviation (SAST, GMT/BST...)."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from app.models.base import utcnow


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LOCAL_TIMEZONE"])  # ZoneInfo caches its instances


def local(moment: datetime) -> datetime:
    """A stored (naive UTC) time as an aware local time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone())


def stored(day: date, clock: time) -> datetime:
    """A local date and wall-clock time as naive UTC (a time skipped by a clock change counts as before it)."""
    return datetime.combine(day, clock, tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def today(now: datetime | None = None) -> date:
    """The local date at `now` (naive UTC, default the current time)."""
    return local(now or utcnow()).date()


def when(moment: datetime | None) -> str:
    """The `when` template filter: "07 Dec 2026, 09:00 SAST"."""
    return f"{local(moment):%d %b %Y, %H:%M %Z}" if moment else ""
