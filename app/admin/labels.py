"""What admin pages show for enumerations and deadlines, translated (issue 23): the shared labels of
app/issues/labels.py, plus those only admin pages use (an account's standing, a role inside a sentence, a
status list). Registered as template globals by app/admin/routes.py."""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.issues import labels as shared
from app.issues.targets import duration
from app.models.accounts import Role

category_label, status_label, urgency_label = shared.category_label, shared.status_label, shared.urgency_label
# A role inside a sentence ("Sipho (house admin)"), lower case
ROLES = {Role.STUDENT: _l("student"), Role.ADMIN: _l("house admin"), Role.DEVELOPER: _l("developer"),
         Role.STAFF: _l("staff member")}


def status_labels(statuses) -> str:
    """Statuses as a list in a sentence ("Reported, In progress")."""
    return ", ".join(status_label(status) for status in statuses)


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
    return "–" if span is None else duration(abs(span))


def due_label(due) -> str:
    """A targets.Standing (the nearest deadline) as time left or overdue."""
    return due.label


TEMPLATE_GLOBALS = {"allowed_labels": status_labels, "admin_role_label": role_label,
                    "account_standing": account_standing, "span_text": span_text, "due_label": due_label}
