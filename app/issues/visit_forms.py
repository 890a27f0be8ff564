"""Forms for visits: the reporter's offered times (rows read by number) and a booking by staff or an admin."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from app.issues.labels import slot_label
from app.issues.visits import MAX_SLOTS, REASON_MAX, SlotErrors, is_room_issue, slots_of, visit_of
from app.localtime import local


class AvailabilityForm(FlaskForm):
    """CSRF and "enter when I am out"; the times are rows day-N, part-N, from-N, to-N (see `rows`)."""

    enter_permission = BooleanField(_l("Staff may enter my room to fix this when I am out"))

    @staticmethod
    def typed(source) -> list[tuple[str, str, str, str]]:
        """The rows as typed (cut short: the form's inputs are short)."""
        return [tuple((source.get(f"{name}-{n}") or "")[:20] for name in ("day", "part", "from", "to"))
                for n in range(MAX_SLOTS)]

    @staticmethod
    def rows(typed=None, slots=(), errors: SlotErrors | None = None) -> list[dict]:
        """MAX_SLOTS rows for the template: typed values, else the stored slots, with any error."""
        rows = []
        for n in range(MAX_SLOTS):
            slot_id = None  # a stored slot's id: its row has a "withdraw" button
            if typed is not None:
                day, part, start, end = typed[n]
            elif n < len(slots):
                slot_id = slots[n].id
                starts_at, ends_at, part = local(slots[n].starts_at), local(slots[n].ends_at), slots[n].part.value
                day = starts_at.date().isoformat()
                start, end = (f"{starts_at:%H:%M}", f"{ends_at:%H:%M}") if part == "times" else ("", "")
            else:
                day = part = start = end = ""
            rows.append({"n": n, "slot_id": slot_id, "day": day, "part": part, "from": start, "to": end,
                         "error": errors.by_row.get(n) if errors else None})
        return rows


class BookVisitForm(FlaskForm):
    """One of the student's times (`slot`: its id) or another time (`slot`: other, with day/start/end)."""

    slot = StringField(_l("When"))
    day = StringField(_l("Date"), render_kw={"type": "date"})
    start = StringField(_l("From"), render_kw={"type": "time"})
    end = StringField(_l("To"), render_kw={"type": "time"})

    def choices(self, slots) -> list[tuple[str, str]]:
        return [(str(slot.id), slot_label(slot)) for slot in slots] + [("other", _("Another time"))]


class CancelVisitForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional; the student sees it)"), validators=[Length(max=REASON_MAX)],
                           render_kw={"maxlength": REASON_MAX, "rows": 2})


def booking_context(issue, form: BookVisitForm | None = None, cancel_form: CancelVisitForm | None = None) -> dict:
    """What templates/issues/_visit.html needs on the staff and admin pages."""
    return {"visit_form": form or BookVisitForm(formdata=None), "visit_slots": slots_of(issue.id),
            "visit": visit_of(issue.id), "slot_label": slot_label,
            "cancel_form": cancel_form or CancelVisitForm(formdata=None)}


def availability_context(issue, is_reporter: bool, form: AvailabilityForm | None = None, typed=None,
                         errors: SlotErrors | None = None) -> dict:
    """What templates/issues/_availability.html needs on the student's issue page: nothing for a common area;
    the booked visit for a room; the times and their form only for the reporter of an open issue."""
    if not is_room_issue(issue):
        return {"visit": None}
    context = {"visit": visit_of(issue.id), "slot_label": slot_label}
    if is_reporter and issue.status.is_open:
        context["availability_form"] = form or AvailabilityForm(formdata=None,
                                                                data={"enter_permission": issue.enter_permission})
        context["availability_rows"] = AvailabilityForm.rows(typed, slots_of(issue.id), errors)
    return context
