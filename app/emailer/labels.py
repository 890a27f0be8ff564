"""What an email's context holds as codes, said in the recipient's language when the worker renders it.

The context is written in the sender's request (any language) and rendered later in the recipient's, so it holds
data and codes (a status, a category, a time in UTC), never display text. These helpers are handed to every email
template (app/emailer/render.py). A context queued before it held codes still renders: a value that is not a
known code is shown as stored (an English label then).
"""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.labels import CATEGORY, CONDITION, STATUS, window_text
from app.localtime import spoken

ERROR_REASONS = {"new": _l("New"), "regression": _l("Back again"), "spike": _l("Spike")}


def _said(labels: dict, value) -> str:
    """The label of code `value` in the language spoken; an unknown value (an old context's text) as stored."""
    if value is None:
        return ""
    if value in labels:
        return str(labels[value])
    for code, label in labels.items():  # an English label stored before contexts held codes
        if label._args[0] == value:
            return str(labels[code])
    return str(value)


def category_label(code) -> str:
    return _said(CATEGORY, code)


def status_label(code) -> str:
    return _said(STATUS, code)


def condition_label(code) -> str:
    return _said(CONDITION, code)


def error_reason_label(code) -> str:
    return _said(ERROR_REASONS, code)


def location_label(item: dict) -> str:
    """Where an issue is: its common area's name (data), "Room 12", or the stored text of an old context."""
    if item.get("area"):
        return item["area"]
    if item.get("room") is not None:
        return _("Room %(number)s", number=item["room"])
    return item.get("location", "")


def who_label(update: dict) -> str:
    """Who wrote an update: `role` is admin (with `who_name`), staff, resident or system; else the stored text."""
    role = update.get("role")
    if role == "admin":
        return _("%(name)s (house admin)", name=update.get("who_name", ""))
    if role == "staff":
        return _("Maintenance")
    if role == "resident":
        return _("Resident")
    if role == "system":
        return "RINAIBRA"
    return update.get("who", "")


def _moment(value) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.removesuffix("Z")).replace(tzinfo=None)


def at_label(value: str | None, fallback: str = "") -> str:
    """A stored UTC time (ISO text) as "07 Des. 2026, 09:00 SAST" in the language spoken; `fallback` (an old
    context's text) when there is none."""
    moment = _moment(value)
    return spoken(moment, "dd MMM y, HH:mm") if moment else str(fallback or "")


def late_label(item: dict) -> str:
    """How late an issue is ("Response overdue by 2 hours"): `late_which` (respond or fix) and `late_minutes`;
    an old context's stored `late` text otherwise."""
    minutes = item.get("late_minutes")
    if minutes is None:
        return item.get("late", "")
    span = span_label(int(minutes))
    if item.get("late_which") == "respond":
        return _("Response overdue by %(span)s", span=span)
    return _("Fix overdue by %(span)s", span=span)


def span_label(minutes: int) -> str:
    """A rounded-down length, as app/issues/targets.duration: minutes, hours under two days, else days."""
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if minutes < 48 * 60:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d day", "%(num)d days", minutes // (24 * 60))


def window_label(starts_at: str | None, ends_at: str | None, part: str | None, fallback: str = "") -> str:
    """A visit's time (app/labels.window_text) from `starts_at` and `ends_at` (UTC, ISO) and the day `part`;
    `fallback` (an old context's stored `when` text) without them."""
    starts_at, ends_at = _moment(starts_at), _moment(ends_at)
    if starts_at is None or ends_at is None:
        return str(fallback or "")
    return window_text(part, starts_at, ends_at)


HELPERS = {
    "category_label": category_label, "status_label": status_label, "condition_label": condition_label,
    "error_reason_label": error_reason_label, "location_label": location_label, "who_label": who_label,
    "at_label": at_label, "late_label": late_label, "window_label": window_label,
}
