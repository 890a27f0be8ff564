"""What admin pages show for enumerations (category, status, urgency, role, account standing) and for time
spans, translated (issue 23). Registered as template globals by app/admin/routes.py.

At merge: where the shared label functions of app/issues (lang-student) give the same, use them instead.
"""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.models.accounts import Role
from app.models.issues import Category, HoldReason, IssueStatus, Urgency

CATEGORIES = {
    Category.PLUMBING: _l("Plumbing"), Category.ELECTRICAL: _l("Electrical"),
    Category.DOORS_LOCKS: _l("Doors & locks"), Category.FURNITURE: _l("Furniture"),
    Category.INTERNET: _l("Internet"), Category.APPLIANCES: _l("Appliances"),
    Category.PEST_CONTROL: _l("Pest control"), Category.CLEANING: _l("Cleaning"), Category.OTHER: _l("Other"),
}
STATUSES = {
    IssueStatus.REPORTED: _l("Reported"), IssueStatus.IN_PROGRESS: _l("In progress"),
    IssueStatus.RESOLVED: _l("Resolved"), IssueStatus.WONT_FIX: _l("Won't fix"), IssueStatus.ON_HOLD: _l("On hold"),
}
URGENCIES = {Urgency.NORMAL: _l("Normal"), Urgency.URGENT: _l("Urgent")}
HOLD_REASONS = {
    HoldReason.PARTS: _l("Waiting for parts"), HoldReason.CONTRACTOR: _l("Waiting for a contractor"),
    HoldReason.ACCESS: _l("Waiting for access to the room"),
}
ROLES = {Role.STUDENT: _l("student"), Role.ADMIN: _l("house admin"), Role.DEVELOPER: _l("developer"),
         Role.STAFF: _l("staff member")}


def category_label(category) -> str:
    return str(CATEGORIES[Category(category)])


def status_label(status) -> str:
    return str(STATUSES[IssueStatus(status)])


def status_labels(statuses) -> str:
    """Statuses as a list in a sentence ("Reported, In progress")."""
    return ", ".join(status_label(status) for status in statuses)


def urgency_label(urgency) -> str:
    return str(URGENCIES[Urgency(urgency)])


def role_label(role) -> str:
    return str(ROLES[Role(role)])


def account_standing(user) -> str:
    """User.standing, translated: a short label for admin pages."""
    if user.is_deactivated:
        return _("Deactivated")
    if not user.is_verified:
        return _("Email not confirmed")
    return _("Waiting for approval") if not user.is_approved else _("Active")


def span_text(span: timedelta | None) -> str:
    """A short, rounded-down length (45 min, 3 h, 2 d) in the language spoken; "–" for none."""
    if span is None:
        return "–"
    minutes = int(abs(span).total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(num)d min", "%(num)d min", minutes)
    if minutes < 48 * 60:
        return ngettext("%(num)d h", "%(num)d h", minutes // 60)
    return ngettext("%(num)d d", "%(num)d d", minutes // (24 * 60))


def due_label(due) -> str:
    """A targets.Standing (the nearest deadline) as time left or overdue."""
    span = span_text(due.left)
    if due.overdue:
        return _("Response overdue by %(span)s", span=span) if due.which == "respond" \
            else _("Fix overdue by %(span)s", span=span)
    return _("%(span)s left to respond", span=span) if due.which == "respond" else _("%(span)s left to fix", span=span)


TEMPLATE_GLOBALS = {
    "category_label": category_label, "status_label": status_label, "allowed_labels": status_labels,
    "urgency_label": urgency_label,
    "role_label": role_label, "account_standing": account_standing, "span_text": span_text, "due_label": due_label,
}
