"""The pages' words for the enumerations people read (status, urgency, category, hold reason, part of the day,
role, condition, where an issue is, a visit's time), in the language spoken, from the product's vocabulary
(app/labels.py). Each function takes the enum or its stored value; registered as template globals and filters
by `register`.

The models' `.label` properties stay the English source (stored in `Issue.hold_reason`, read by CSV and email
contexts built before the recipient's language is known): display goes through these functions.
"""
from datetime import datetime

from flask_babel import gettext as _

from app.labels import CATEGORY, CONDITION, DAY_PART, HOLD_REASON, ROLE, STATUS, URGENCY, window_text
from app.models.accounts import Role
from app.models.issues import Category, HoldReason, IssueStatus, Urgency
from app.models.move_in import Condition
from app.models.visits import DayPart


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
    reason, detail = HoldReason.parts(stored)
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
    """A visit's time in the language spoken (app/labels.window_text); visits.window_label is the English one
    stored in timelines."""
    return window_text(part, starts_at, ends_at)


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
