"""Role checks for views and small helpers for object-level authorization."""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import may_manage_house
from app.house_setup import house_by_slug
from app.models.accounts import Role
from app.models.houses import House
from app.text import CONTROL


def approved_required(view):
    """Allow the view to any logged-in user but a student waiting for a house admin's approval, who is shown that
    instead (403), as on every student page: nothing of a house is open to them yet."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.awaiting_approval:
            return render_template("auth/awaiting_approval.html"), 403
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: Role):
    """Allow the view only to logged-in users with one of `roles` (403 for the others). A student waiting for
    a house admin's approval is shown that instead (403): nothing a student does is open to them yet."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403, _("Your account does not have access to this page."))
            if current_user.awaiting_approval:
                return render_template("auth/awaiting_approval.html"), 403
            return view(*args, **kwargs)

        return wrapped

    return decorator


student_required = role_required(Role.STUDENT)
admin_required = role_required(Role.ADMIN)
developer_required = role_required(Role.DEVELOPER)


def administered_house(slug: str | None) -> House:
    """The house at `slug` when the current user administers it; 404 otherwise (another admin's house is not
    revealed, as with issues)."""
    house = house_by_slug(slug or "")
    if house is None or not may_manage_house(current_user, house.id):
        abort(404, _("There is no house with that address among yours."))
    return house


def is_safe_next(target: str | None) -> bool:
    """True for a local path only: no scheme, no host, no protocol-relative `//`, no control character (a line
    break cannot go into a Location header)."""
    if not target or CONTROL.search(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target
