"""Visits to a student's room: the times the reporter offers (or "enter when I am out"), and the visit an
assignee or house admin books, emailed to the student once.

Times are typed and shown as the residence's local time (LOCAL_TIMEZONE: a date and a part of the day, or a
start and end time, within the next HORIZON_DAYS days) and stored in UTC (app/localtime.py). Booking takes the
issue's lock (app/limits.py `hold`), so double clicks and parallel posts are serialised: the visit row then says
which time the student was told about (`notice_key`), and booking that same time again sends nothing. A different
time sends one new email (one still queued is replaced: the student hears only of the latest time). Cancelling
takes the same lock: of parallel cancels only the first finds the visit, records and emails it (a booking email
still queued is replaced by the cancellation). The reporter may withdraw one offered time at a time.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from app.emailer import enqueue
from app.extensions import db
from app.issues import notify
from app.limits import hold
from app.localtime import local, stored, today
from app.models.base import utcnow
from app.models.issues import EventKind, Issue, IssueEvent
from app.models.mail import Purpose
from app.models.visits import DayPart, Visit, VisitSlot
from app.text import has_control

HORIZON_DAYS = 14
MAX_SLOTS = 5
MIN_MINUTES = 30
WITHDRAWN_REASON = "the student withdrew this time"
CLOSED_REASON = "the issue is resolved or closed"
REASON_MAX = 500
PART_HOURS = {DayPart.MORNING: (time(8), time(12)), DayPart.AFTERNOON: (time(12), time(17)),
              DayPart.EVENING: (time(17), time(20))}


class VisitError(ValueError):
    """A time or step refused; str() is the message to show."""


class SlotErrors(ValueError):
    """Offered times refused: by_row maps a row number to its message."""

    def __init__(self, by_row: dict[int, str]):
        super().__init__("; ".join(by_row.values()))
        self.by_row = by_row


@dataclass(frozen=True)
class Window:
    """A time for a visit: its part of the day, and its start and end in UTC."""

    part: DayPart
    starts_at: datetime
    ends_at: datetime

    @property
    def label(self) -> str:
        return window_label(self.part, self.starts_at, self.ends_at)

    @property
    def key(self) -> str:
        return f"{self.starts_at:%Y%m%dT%H%M}-{self.ends_at:%Y%m%dT%H%M}"


def window_label(part: DayPart, starts_at: datetime, ends_at: datetime) -> str:
    """UTC times in local time: "Tue 8 Dec 2026, morning (08:00-12:00 SAST)" or "Tue 8 Dec 2026, 14:00-15:30 SAST"."""
    starts_at, ends_at = local(starts_at), local(ends_at)
    day = f"{starts_at:%a} {starts_at.day} {starts_at:%b %Y}"
    hours = f"{starts_at:%H:%M}–{ends_at:%H:%M} {ends_at:%Z}"
    return f"{day}, {part.label.lower()} ({hours})" if part in PART_HOURS else f"{day}, {hours}"


def is_room_issue(issue: Issue) -> bool:
    return issue.common_area_id is None


def _day(raw: str, today: date) -> date:
    raw = (raw or "").strip()
    if has_control(raw) or len(raw) > 10:
        raise VisitError(_("Give the date as a calendar date, like 2026-12-08."))
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise VisitError(_("Give the date as a calendar date, like 2026-12-08.")) from None
    if day < today:
        raise VisitError(_("That date has passed: choose a day from today on."))
    if day > today + timedelta(days=HORIZON_DAYS):
        raise VisitError(_("Choose a day within the next %(days)d days.", days=HORIZON_DAYS))
    return day


def _clock(raw: str, what: str) -> time:
    raw = (raw or "").strip()
    try:
        if has_control(raw) or len(raw) != 5:
            raise ValueError
        return time.fromisoformat(raw)
    except ValueError:
        raise VisitError(_("Give the start time as hours and minutes, like 14:30.") if what == "start"
                         else _("Give the end time as hours and minutes, like 14:30.")) from None


def parse_window(day_raw: str, part_raw: str, start_raw: str = "", end_raw: str = "",
                 now: datetime | None = None) -> Window | None:
    """One offered time from the form (local time): None when the row is blank; VisitError when it cannot be
    used. `now` is UTC."""
    now = now or utcnow()
    if not any((value or "").strip() for value in (day_raw, part_raw, start_raw, end_raw)):
        return None
    day = _day(day_raw, today(now))
    try:
        part = DayPart((part_raw or "").strip())
    except ValueError:
        raise VisitError(_("Choose morning, afternoon, evening or a time range.")) from None
    if part in PART_HOURS:
        start, end = PART_HOURS[part]
    else:
        start, end = _clock(start_raw, "start"), _clock(end_raw, "end")
        if datetime.combine(day, end) - datetime.combine(day, start) < timedelta(minutes=MIN_MINUTES):
            raise VisitError(_("The end time must be at least %(minutes)d minutes after the start time.",
                               minutes=MIN_MINUTES))
    window = Window(part, stored(day, start), stored(day, end))
    if window.ends_at <= now:
        raise VisitError(_("That time has passed: choose a later one."))
    return window


def parse_slots(rows: list[tuple[str, str, str, str]], now: datetime | None = None) -> list[Window]:
    """The offered times of the form's rows, in time order without repeats; SlotErrors names every bad row."""
    windows, errors = [], {}
    for number, row in enumerate(rows[:MAX_SLOTS]):
        try:
            window = parse_window(*row, now=now)
        except VisitError as exc:
            errors[number] = str(exc)
        else:
            if window is not None and window not in windows:
                windows.append(window)
    if errors:
        raise SlotErrors(errors)
    return sorted(windows, key=lambda w: (w.starts_at, w.ends_at))


def slots_of(issue_id: int, now: datetime | None = None) -> list[VisitSlot]:
    """The times the reporter offers that have not ended yet, in time order."""
    return list(db.session.scalars(
        sa.select(VisitSlot).where(VisitSlot.issue_id == issue_id, VisitSlot.ends_at > (now or utcnow()))
        .order_by(VisitSlot.starts_at, VisitSlot.id)))


def visit_of(issue_id: int) -> Visit | None:
    return db.session.get(Visit, issue_id)


def slot_label(slot: VisitSlot | Visit) -> str:
    return window_label(slot.part, slot.starts_at, slot.ends_at)


def shown(time: Window | VisitSlot | Visit) -> str:
    """A time in the language spoken (app/issues/labels.py), for messages; `window_label` is the stored one."""
    from app.issues.labels import window_label as spoken_window

    return spoken_window(time.part, time.starts_at, time.ends_at)


def set_availability(issue: Issue, student, windows: list[Window], enter_permission: bool) -> str:
    """Replace the reporter's offered times and their "enter when I am out" choice; the caller commits."""
    if issue.reporter_id != student.id:
        raise VisitError(_("Only the student who reported this issue can give times."))
    if not is_room_issue(issue) or not issue.status.is_open:
        raise VisitError(_("Times for a visit can be given for open issues in your own room."))
    db.session.execute(sa.delete(VisitSlot).where(VisitSlot.issue_id == issue.id))
    db.session.add_all(VisitSlot(issue_id=issue.id, part=w.part, starts_at=w.starts_at, ends_at=w.ends_at)
                       for w in windows)
    issue.enter_permission = bool(enter_permission)
    lines = [w.label for w in windows] or ["No times given."]
    lines.append("Staff may enter when I am out." if enter_permission else "Staff may not enter when I am out.")
    db.session.add(IssueEvent(issue=issue, author_id=student.id, kind=EventKind.AVAILABILITY, body="\n".join(lines)))
    issue.updated_at = utcnow()
    return _("Thanks: staff see your times.") if windows else _("Saved: staff see your choice.")


def chosen_window(issue: Issue, choice: str, day: str, start: str, end: str,
                  now: datetime | None = None) -> Window:
    """The time a booker chose: one of the offered times (by id), or another time when the student allows
    entry while out (or gave no times at all); VisitError otherwise."""
    choice = (choice or "").strip()
    if choice and choice != "other":
        slot = next((s for s in slots_of(issue.id, now) if str(s.id) == choice), None)
        if slot is None:
            raise VisitError(_("That time is no longer offered: choose one of the listed times."))
        return Window(slot.part, slot.starts_at, slot.ends_at)
    if choice != "other":
        raise VisitError(_("Choose one of the student's times, or another time."))
    if not issue.enter_permission and slots_of(issue.id, now):
        raise VisitError(_("The student does not allow entry when out: choose one of the times they offered."))
    window = parse_window(day, DayPart.TIMES.value, start, end, now=now)
    if window is None:
        raise VisitError(_("Give the date, start and end time of the visit."))
    return window


def book(issue: Issue, booker, window: Window) -> tuple[str, bool]:
    """Book (or move) the issue's visit; the caller commits. Returns the message and whether the student is
    emailed. The issue's lock is held until the commit, so of two parallel bookings of the same time only the
    first records and emails it."""
    if not is_room_issue(issue) or not issue.status.is_open:
        raise VisitError(_("Visits are booked for open issues in a student's room."))
    hold(f"visit:issue:{issue.id}")
    visit = db.session.execute(sa.select(Visit).where(Visit.issue_id == issue.id)
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    if visit is not None and visit.notice_key == window.key:
        return _("The visit is already booked for %(time)s; the student was told.", time=shown(window)), False
    if visit is None:
        visit = Visit(issue_id=issue.id)
        db.session.add(visit)
    visit.part, visit.starts_at, visit.ends_at = window.part, window.starts_at, window.ends_at
    visit.notice_key = window.key
    visit.booked_by_id, visit.booked_at = booker.id, utcnow()
    db.session.add(IssueEvent(issue=issue, author_id=booker.id, kind=EventKind.VISIT, body=window.label))
    issue.updated_at = utcnow()
    return _("Visit booked for %(time)s.", time=shown(window)), _tell_student(issue, "visit_booked", window.label)


def cancel(issue: Issue, canceller, reason: str = "") -> tuple[str, bool]:
    """Cancel the issue's booked visit, with an optional reason the student sees; the caller commits. Returns
    the message and whether the student is emailed. Under the issue's lock (as `book`), so of two parallel
    cancels only the first records and emails it."""
    reason = (reason or "").strip()
    if has_control(reason, multiline=True) or len(reason) > REASON_MAX:
        raise VisitError(_("Keep the reason to plain text of at most %(count)d characters.", count=REASON_MAX))
    hold(f"visit:issue:{issue.id}")
    visit = db.session.execute(sa.select(Visit).where(Visit.issue_id == issue.id)
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    if visit is None:
        return _("There is no booked visit to cancel (it may just have been cancelled)."), False
    label = slot_label(visit)
    db.session.delete(visit)
    body = f"{label}\nReason: {reason}" if reason else label
    db.session.add(IssueEvent(issue=issue, author_id=canceller.id, kind=EventKind.VISIT_CANCELLED, body=body))
    issue.updated_at = utcnow()
    told = _tell_student(issue, "visit_cancelled", label, reason=reason)
    return _("The visit of %(time)s is cancelled.", time=shown(visit)), told


def close_pending(issue: Issue, closer) -> None:
    """The issue was resolved or closed: its booked visit ends with it (a visit still to come is recorded as
    cancelled on the timeline; the status email tells the student). The caller commits."""
    with db.session.no_autoflush:  # the status change is written with the rest, in one UPDATE
        visit = visit_of(issue.id) if is_room_issue(issue) else None
    if visit is None:
        return
    if visit.ends_at > utcnow():
        db.session.add(IssueEvent(issue=issue, author_id=closer.id if closer else None,
                                  kind=EventKind.VISIT_CANCELLED,
                                  body=f"{slot_label(visit)}\nReason: {CLOSED_REASON}"))
    db.session.delete(visit)


def withdraw_slot(issue: Issue, student, slot_id: int) -> str:
    """The reporter takes back one offered time; the caller commits. VisitError when it is not theirs. A visit
    booked at that time is cancelled with it (under the issue's lock, as `cancel`), and the house admins and the
    assignee hear of it as of a comment of the student's."""
    slot = db.session.scalar(sa.select(VisitSlot).where(VisitSlot.id == slot_id, VisitSlot.issue_id == issue.id))
    if slot is None or issue.reporter_id != student.id:
        raise VisitError(_("That time is no longer offered."))
    label = slot_label(slot)
    db.session.delete(slot)
    db.session.add(IssueEvent(issue=issue, author_id=student.id, kind=EventKind.TIME_WITHDRAWN, body=label))
    issue.updated_at = utcnow()
    hold(f"visit:issue:{issue.id}")
    visit = db.session.execute(sa.select(Visit).where(Visit.issue_id == issue.id)
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    if visit is None or (visit.starts_at, visit.ends_at) != (slot.starts_at, slot.ends_at):
        return _("Withdrawn: %(time)s.", time=shown(slot))
    db.session.delete(visit)
    db.session.add(IssueEvent(issue=issue, author_id=student.id, kind=EventKind.VISIT_CANCELLED,
                              body=f"{label}\nReason: {WITHDRAWN_REASON}"))
    notify.student_comment(issue, student, f"I withdrew the time {label}, so the visit booked for then is "
                                           "cancelled. Please book another of my times.")
    return _("Withdrawn: %(time)s. The visit booked for then is cancelled, and maintenance is told.",
             time=shown(slot))


def _tell_student(issue: Issue, template: str, when: str, **extra) -> bool:
    """Email the reporter about the visit (one email per issue still queued: the latest replaces it)."""
    student = issue.reporter
    if student is None or not student.in_good_standing:
        return False
    link = current_app.config["BASE_URL"] + url_for("issues.detail", issue_id=issue.id)
    return enqueue(template, student.email,
                   {"name": student.name, "issue_id": issue.id, "title": issue.title, "house": issue.house.name,
                    "when": when, "enter_permission": issue.enter_permission, "link": link,
                    **issue.house.reply_context(), **extra},
                   purpose=Purpose.NOTICE, coalesce_key=f"visit:issue:{issue.id}") is not None
