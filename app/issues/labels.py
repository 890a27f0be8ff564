"""The words for the enumerations people read (status, urgency, category, hold reason, part of the day, role,
condition, where an issue is, a visit's time), in the language spoken: the one place pages and emails translate
them. Each function takes the enum or its stored value; registered as template globals and filters by `register`.

The models' `.label` properties stay the English source (stored in `Issue.hold_reason`, read by CSV and email
contexts built before the recipient's language is known): display goes through these functions.
"""
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.localtime import local
from app.models.accounts import Role
from app.models.issues import Category, HoldReason, IssueStatus, Urgency
from app.models.move_in import Condition
from app.models.visits import DayPart

STATUS = {IssueStatus.REPORTED: _l("Reported"), IssueStatus.IN_PROGRESS: _l("In progress"),
          IssueStatus.RESOLVED: _l("Resolved"), IssueStatus.WONT_FIX: _l("Won't fix"),
          IssueStatus.ON_HOLD: _l("On hold")}
URGENCY = {Urgency.NORMAL: _l("Normal"), Urgency.URGENT: _l("Urgent")}
CATEGORY = {Category.PLUMBING: _l("Plumbing"), Category.ELECTRICAL: _l("Electrical"),
            Category.DOORS_LOCKS: _l("Doors & locks"), Category.FURNITURE: _l("Furniture"),
            Category.INTERNET: _l("Internet"), Category.APPLIANCES: _l("Appliances"),
            Category.PEST_CONTROL: _l("Pest control"), Category.CLEANING: _l("Cleaning"), Category.OTHER: _l("Other")}
HOLD_REASON = {HoldReason.PARTS: _l("Waiting for parts"), HoldReason.CONTRACTOR: _l("Waiting for a contractor"),
               HoldReason.ACCESS: _l("Waiting for access to the room")}
DAY_PART = {DayPart.MORNING: _l("Morning"), DayPart.AFTERNOON: _l("Afternoon"), DayPart.EVENING: _l("Evening"),
            DayPart.TIMES: _l("Between")}
DAY_PART_IN_SENTENCE = {DayPart.MORNING: _l("morning"), DayPart.AFTERNOON: _l("afternoon"),
                        DayPart.EVENING: _l("evening"), DayPart.TIMES: _l("between")}
ROLE = {Role.STUDENT: _l("Student"), Role.ADMIN: _l("House admin"), Role.DEVELOPER: _l("Developer"),
        Role.STAFF: _l("Maintenance staff")}
CONDITION = {Condition.GOOD: _l("Good"), Condition.DAMAGED: _l("Damaged"), Condition.MISSING: _l("Missing")}


def status_label(status: IssueStatus | str) -> str:
    return str(STATUS[IssueStatus(status)])


def urgency_label(urgency: Urgency | str) -> str:
    return str(URGENCY[Urgency(urgency)])


def category_label(category: Category | str) -> str:
    return str(CATEGORY[Category(category)])


def hold_reason_label(reason: HoldReason | str) -> str:
    return str(HOLD_REASON[HoldReason(reason)])


def day_part_label(part: DayPart | str) -> str:
    return str(DAY_PART[DayPart(part)])


def role_label(role: Role | str) -> str:
    return str(ROLE[Role(role)])


def condition_label(condition: Condition | str | None) -> str:
    return str(CONDITION[Condition(condition)]) if condition else _("Not recorded")


def hold_text_label(stored: str | None) -> str:
    """An issue's stored hold reason ("Waiting for parts: the pump is on order", English reason, typed detail)
    with the reason in the language spoken; text not made by `workflow.hold_text` is shown as stored."""
    from app.issues.workflow import hold_parts

    reason, detail = hold_parts(stored)
    if reason is None:
        return stored or ""
    if not detail:
        return hold_reason_label(reason)
    return _("%(reason)s: %(detail)s", reason=hold_reason_label(reason), detail=detail)


def place_label(issue) -> str:
    """Where an issue is: its common area's name, or "Room 101" (the model's `location_label`, translated)."""
    if issue.common_area is not None:
        return issue.common_area.name
    return _("Room %(number)s", number=issue.room.number) if issue.room is not None else _("Room")


def window_label(part: DayPart, starts_at: datetime, ends_at: datetime) -> str:
    """A visit's time (stored UTC) in local time and the language spoken: "Tue 8 Dec 2026, morning (08:00–12:00
    SAST)" or "Tue 8 Dec 2026, 14:00–15:30 SAST" (visits.window_label is the English one stored in timelines)."""
    start, end = local(starts_at), local(ends_at)
    values = {"day": format_datetime(start, "EEE d MMM y", rebase=False),
              "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "zone": f"{end:%Z}"}
    if part == DayPart.TIMES:
        return _("%(day)s, %(start)s–%(end)s %(zone)s", **values)
    return _("%(day)s, %(part)s (%(start)s–%(end)s %(zone)s)", part=str(DAY_PART_IN_SENTENCE[DayPart(part)]), **values)


def slot_label(slot) -> str:
    """An offered time or booked visit (VisitSlot or Visit), as `window_label`."""
    return window_label(slot.part, slot.starts_at, slot.ends_at)


def checklist_text(text: str) -> str:
    """A move-in checklist item or term: the default ones (app/move_in/checklist.py) in the language spoken, an
    admin's own as typed. Plain text (escaped in templates, unlike `_()`'s output, which is trusted markup)."""
    return _(text) if text else text


def register(blueprint) -> None:
    """Every label function as a template global and filter of the whole app (pages and emails)."""
    for function in (status_label, urgency_label, category_label, hold_reason_label, day_part_label, role_label,
                     condition_label, hold_text_label, place_label, slot_label, checklist_text):
        blueprint.add_app_template_global(function)
        blueprint.add_app_template_filter(function)
