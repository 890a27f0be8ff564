"""Response targets: by when an issue should have its first admin response and be fixed, and how much time is left.

Targets come from the settings per urgency (TARGET_<URGENCY>_RESPONSE_HOURS, _FIX_HOURS), or from a category's
own row in response_targets (edited on /admin/targets). Each issue's deadlines are computed here when it is
stored, and again when its status, first response or targets change, and kept on the issue (respond_by,
fix_by, next_due_at) so the queue filters and sorts by them in SQL.

Time an issue spends paused (the coming on-hold state) moves its fix deadline later: `paused_for` is the one
place that says how long an issue was paused and whether it is paused now.
"""
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.models.accounts import Role
from app.models.base import utcnow
from app.models.issues import (
    OPEN_STATUSES,
    Category,
    EventKind,
    Issue,
    IssueStatus,
    ResponseTarget,
    Urgency,
)

RETIME_BATCH = 500
CACHE_SECONDS = 30  # how long a process reuses its copy of response_targets (an edit clears the editor's at once)
EDITORS = (Role.ADMIN, Role.DEVELOPER)  # who may change a category's targets (they apply to every house)


class TargetError(ValueError):
    """A target that cannot be stored; str() is the message to show."""


class TargetErrors(ValueError):
    """Targets refused on the form: by_key maps "category-urgency" to its message."""

    def __init__(self, by_key: dict[str, str]):
        super().__init__("; ".join(by_key.values()))
        self.by_key = by_key


@dataclass(frozen=True)
class Targets:
    response: timedelta
    fix: timedelta


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime
    fix_by: datetime
    next_due: datetime | None  # the nearest deadline still to meet; None once closed (or while paused)


def default_hours(urgency: Urgency) -> tuple[float, float]:
    """(response, fix) hours from the settings for `urgency`."""
    name = Urgency(urgency).name
    config = current_app.config
    return float(config[f"TARGET_{name}_RESPONSE_HOURS"]), float(config[f"TARGET_{name}_FIX_HOURS"])


def overrides(connection=None) -> dict[tuple[Category, Urgency], tuple[float, float]]:
    """Every category's own targets: {(category, urgency): (response hours, fix hours)}."""
    rows = (connection or db.session).execute(
        sa.select(ResponseTarget.category, ResponseTarget.urgency, ResponseTarget.response_hours,
                  ResponseTarget.fix_hours))
    return {(Category(c), Urgency(u)): (float(r), float(f)) for c, u, r, f in rows}


def _cached_overrides(connection=None) -> dict[tuple[Category, Urgency], tuple[float, float]]:
    """`overrides()`, read at most every CACHE_SECONDS per app (a status change then reads no targets). Another
    process sees an edit within CACHE_SECONDS."""
    cached = current_app.extensions.get("response_targets")
    if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
        cached = (time.monotonic(), overrides(connection))
        current_app.extensions["response_targets"] = cached
    return cached[1]


def forget_cached() -> None:
    current_app.extensions.pop("response_targets", None)


def targets_for(category: Category, urgency: Urgency, connection=None) -> Targets:
    """The targets of an issue of `category` and `urgency`: the category's own, else the settings'."""
    response, fix = _cached_overrides(connection).get((Category(category), Urgency(urgency))) or \
        default_hours(urgency)
    return Targets(timedelta(hours=response), timedelta(hours=fix))


def paused_for(issue: Issue, now: datetime) -> tuple[timedelta, bool]:
    """How long `issue` was on hold so far (its intervals summed from the timeline's status changes, an open one
    up to `now`), and whether it is on hold now (its fix clock stopped)."""
    on_hold = issue.status == IssueStatus.ON_HOLD
    if issue.id is None:  # being reported: no timeline yet
        return timedelta(0), on_hold
    changes = sorted(((event.created_at or now, event.to_status) for event in issue.events
                      if event.kind == EventKind.STATUS and event.to_status is not None), key=lambda c: c[0])
    paused, since = timedelta(0), None
    for when, status in changes:
        if status == IssueStatus.ON_HOLD and since is None:
            since = when
        elif status != IssueStatus.ON_HOLD and since is not None:
            paused, since = paused + (when - since), None
    if since is not None and on_hold:
        paused += now - since
    return paused, on_hold


def deadlines(issue: Issue, now: datetime | None = None, targets: Targets | None = None,
              connection=None) -> Deadlines:
    """The issue's deadlines as of `now`; the fix deadline moves later by the time it was paused."""
    now = now or utcnow()
    # Before its INSERT, a new issue's column defaults are not applied yet: the same defaults apply here.
    targets = targets or targets_for(issue.category, issue.urgency or Urgency.NORMAL, connection)
    created = issue.created_at or now
    paused, paused_now = paused_for(issue, now)
    respond_by = created + targets.response
    fix_by = created + targets.fix + paused
    if (issue.status or IssueStatus.REPORTED) not in OPEN_STATUSES or paused_now:
        next_due = None
    elif issue.first_response_at is None:
        next_due = min(respond_by, fix_by)
    else:
        next_due = fix_by
    return Deadlines(respond_by, fix_by, next_due)


def refresh(issue: Issue, now: datetime | None = None, targets: Targets | None = None, connection=None) -> None:
    """Store the issue's deadlines on it (call after a change of status, category, urgency or response)."""
    found = deadlines(issue, now, targets, connection)
    issue.respond_by, issue.fix_by, issue.next_due_at = found.respond_by, found.fix_by, found.next_due


def record_response(issue: Issue, now: datetime | None = None) -> None:
    """An admin changed the status or wrote to the student: the first time, that is the first response."""
    if issue.first_response_at is None:
        issue.first_response_at = now or utcnow()
    refresh(issue, now)


@sa.event.listens_for(Issue, "before_insert")
def _schedule_new_issue(mapper, connection, issue: Issue) -> None:
    """Every new issue gets its deadlines, however it is made (report form, seeding, tests)."""
    if issue.respond_by is None:
        issue.created_at = issue.created_at or utcnow()
        refresh(issue, connection=connection)


def retime(category: Category, urgency: Urgency, now: datetime | None = None) -> int:
    """Recompute the deadlines of the open issues of `category` and `urgency` (their targets changed)."""
    targets = targets_for(category, urgency)
    issues = db.session.scalars(sa.select(Issue).where(
        Issue.category == Category(category), Issue.urgency == Urgency(urgency),
        Issue.status.in_(OPEN_STATUSES))).all()
    for issue in issues:
        refresh(issue, now, targets)
    return len(issues)


def fill_missing(now: datetime | None = None) -> int:
    """Give deadlines to open issues stored before targets existed; returns how many."""
    issues = db.session.scalars(sa.select(Issue).where(
        Issue.status.in_(OPEN_STATUSES), Issue.respond_by.is_(None)).limit(RETIME_BATCH)).all()
    for issue in issues:
        refresh(issue, now)
    return len(issues)


DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(h|hrs?|hours?|d|days?)?", re.IGNORECASE)


def parse_hours(raw: str, what: str) -> float | None:
    """A target typed on the form, in hours ("4", "0.5 h", "7 days"): None when blank (use the default);
    TargetError when not a positive length."""
    raw = (raw or "").strip()
    if not raw:
        return None
    match = DURATION.fullmatch(raw)
    if match is None:
        raise TargetError(_("%(what)s: write a number of hours or days, like 4, 0.5 or 7 days.", what=what))
    hours = float(match[1]) * (24 if (match[2] or "h").lower().startswith("d") else 1)
    if not 0 < hours <= 24 * 365:
        raise TargetError(_("%(what)s: a target must be longer than zero hours (and at most a year).", what=what))
    return hours


def hours_text(hours: float) -> str:
    """A target as the form shows it: "7 days" when whole days, else "4 hours"."""
    if hours % 24 == 0:
        return f"{hours / 24:g} day" + ("" if hours == 24 else "s")
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def checked(response_raw: str, fix_raw: str, urgency: Urgency) -> tuple[float, float] | None:
    """A category's typed targets: (response, fix) hours, or None (both blank or both the urgency's defaults:
    the defaults); TargetError."""
    response, fix = parse_hours(response_raw, _("Response")), parse_hours(fix_raw, _("Fix"))
    if (response is None) != (fix is None):
        raise TargetError(_("Give both the response and the fix target, or leave both empty to use the defaults."))
    if response is not None and fix < response:
        raise TargetError(_("The fix target cannot be shorter than the response target."))
    return None if response is None or (response, fix) == default_hours(urgency) else (response, fix)


def save_all(typed: dict[tuple[Category, Urgency], tuple[str, str]]) -> int:
    """Check every typed (response, fix) pair, then store those that changed and re-time their open issues;
    nothing is stored when any is refused (TargetErrors). Returns how many changed."""
    wanted, errors = {}, {}
    for (category, urgency), (response_raw, fix_raw) in typed.items():
        try:
            wanted[(category, urgency)] = checked(response_raw, fix_raw, urgency)
        except TargetError as exc:
            errors[f"{category.value}-{urgency.value}"] = str(exc)
    if errors:
        raise TargetErrors(errors)
    rows = {(Category(r.category), Urgency(r.urgency)): r for r in db.session.scalars(sa.select(ResponseTarget))}
    changed = 0
    for (category, urgency), hours in wanted.items():
        row = rows.get((category, urgency))
        if hours == ((row.response_hours, row.fix_hours) if row else None):
            continue
        if hours is None:
            db.session.delete(row)
        else:
            row = row or ResponseTarget(category=category, urgency=urgency)
            row.response_hours, row.fix_hours, row.updated_at = hours[0], hours[1], utcnow()
            db.session.add(row)
        db.session.flush()
        forget_cached()
        retime(category, urgency)
        changed += 1
    return changed


@dataclass(frozen=True)
class Standing:
    """What the queue shows about an issue's nearest deadline."""

    which: str  # "respond" or "fix"
    left: timedelta  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.left < timedelta(0)

    @property
    def label(self) -> str:
        span = duration(abs(self.left))
        if self.overdue:
            return (_("Response overdue by %(span)s", span=span) if self.which == "respond"
                    else _("Fix overdue by %(span)s", span=span))
        return (_("%(span)s left to respond", span=span) if self.which == "respond"
                else _("%(span)s left to fix", span=span))


def standing(issue: Issue, now: datetime | None = None) -> Standing | None:
    """The issue's nearest deadline, as time left (or overdue); None when it has none (closed or paused)."""
    if issue.next_due_at is None:
        return None
    now = now or utcnow()
    which = "respond" if issue.first_response_at is None and issue.next_due_at == issue.respond_by else "fix"
    return Standing(which, issue.next_due_at - now)


def duration(span: timedelta) -> str:
    """A short, rounded-down length: 45 min, 3 h, 2 d."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return _("%(count)d min", count=minutes)
    if minutes < 48 * 60:
        return _("%(count)d h", count=minutes // 60)
    return _("%(count)d d", count=minutes // (24 * 60))


def crossed(now: datetime | None = None) -> list[Issue]:
    """Open issues whose nearest deadline has passed and whose admins have not been told of that crossing."""
    now = now or utcnow()
    return list(db.session.scalars(sa.select(Issue).where(
        Issue.status.in_(OPEN_STATUSES), Issue.next_due_at <= now,
        sa.or_(Issue.overdue_noticed_due.is_(None), Issue.overdue_noticed_due != Issue.next_due_at))
        .order_by(Issue.house_id, Issue.next_due_at, Issue.id)))
