"""The product's words for its enumerations (status, urgency, category, hold reason, part of the day, role,
condition) and for a visit's time, in the language spoken: the one vocabulary pages (app/issues/labels.py) and
emails (app/emailer/labels.py) translate from. Keyed by the models' StrEnums, so a stored value finds its label
as its member does.
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


def window_text(part: DayPart | str | None, starts_at: datetime, ends_at: datetime) -> str:
    """A visit's time (stored UTC) in local time and the language spoken: "Tue 8 Dec 2026, morning (08:00–12:00
    SAST)", or "Tue 8 Dec 2026, 14:00–15:30 SAST" for chosen times (or a part not known)."""
    start, end = local(starts_at), local(ends_at)
    values = {"day": format_datetime(start, "EEE d MMM y", rebase=False),
              "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "zone": f"{end:%Z}"}
    if part not in DAY_PART_IN_SENTENCE or part == DayPart.TIMES:
        return _("%(day)s, %(start)s–%(end)s %(zone)s", **values)
    return _("%(day)s, %(part)s (%(start)s–%(end)s %(zone)s)", part=str(DAY_PART_IN_SENTENCE[part]), **values)
