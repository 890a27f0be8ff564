"""The residence's local time (LOCAL_TIMEZONE). Every time is stored as naive UTC; people type and read local
time, shown with the zone's abbreviation (SAST, GMT/BST...)."""
import functools
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from babel.core import Locale
from babel.dates import format_datetime
from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from app.models.base import utcnow


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LOCAL_TIMEZONE"])  # ZoneInfo caches its instances


def local(moment: datetime, zone_name: str | None = None) -> datetime:
    """A stored (naive UTC) time as an aware local time (in LOCAL_TIMEZONE, or the zone named)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone_name) if zone_name else zone())


def stored(day: date, clock: time) -> datetime:
    """A local date and wall-clock time as naive UTC (a time skipped by a clock change counts as before it)."""
    return datetime.combine(day, clock, tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)


def today(now: datetime | None = None) -> date:
    """The local date at `now` (naive UTC, default the current time)."""
    return local(now or utcnow()).date()


def spoken(moment: datetime, pattern: str) -> str:
    """A stored time as local time in the request's (or email's) language, by a CLDR `pattern`, with the zone's
    abbreviation: "07 Des. 2026, 09:00 SAST" in Afrikaans."""
    return _spoken(moment, pattern, get_locale(), current_app.config["LOCAL_TIMEZONE"])


@functools.lru_cache(maxsize=4096)
def _spoken(moment: datetime, pattern: str, language: Locale, zone_name: str) -> str:
    """`spoken`, remembered: a page shows the same times again and again (the queue's rows, request after request),
    and Babel takes about 15 µs to format one."""
    at = local(moment, zone_name)
    return f"{format_datetime(at, pattern, locale=language)} {at:%Z}"


def when(moment: datetime | None) -> str:
    """The `when` template filter: "07 Dec 2026, 09:00 SAST" (in the language spoken)."""
    return spoken(moment, "dd MMM y, HH:mm") if moment else ""


def time_tag(moment: datetime | str | None, seconds: bool = False) -> Markup:
    """The `local_time` template filter: a stored time (naive UTC, or ISO text) as local time, with UTC in its
    tooltip for developers: <time datetime="2026-12-07T07:00:00Z" title="2026-12-07 07:00 UTC">07 Dec 2026,
    09:00 SAST</time>. Empty for None."""
    if not moment:
        return Markup("")
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.removesuffix("Z")).replace(tzinfo=None)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return Markup('<time datetime="{}Z" title="{} UTC">{}</time>').format(
        moment.isoformat(timespec="seconds"), moment.strftime(f"%Y-%m-%d {clock}"),
        spoken(moment, "dd MMM y, HH:mm:ss" if seconds else "dd MMM y, HH:mm"))
