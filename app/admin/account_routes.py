"""Deactivating, reactivating and anonymising accounts from the browser (house admins and developers; added to
admin's bp)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import accounts
from app.admin.routes import bp
from app.auth.access import is_safe_next, role_required
from app.auth.deactivation import deactivate, reactivate
from app.auth.permissions import may_manage_account
from app.auth.privacy import ANONYMISED_DOMAIN, anonymise
from app.converters import whole_number
from app.extensions import db
from app.issues.forms import ButtonForm
from app.models.accounts import Role, User

managers_only = role_required(Role.ADMIN, Role.DEVELOPER)


def _search() -> str:
    return request.values.get("q", "").strip()[:100]


@bp.route("/accounts")
@managers_only
def accounts_page():
    users, total, page = accounts.page_of_accounts(current_user, _search(),
                                                   whole_number(request.args.get("page", "1"), 10_000) or 1)
    return render_template("admin/accounts.html", users=users, total=total, page=page, per_page=accounts.PER_PAGE,
                           q=_search())


def _managed(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not may_manage_account(current_user, user):
        abort(404, _("There is no such account among those you manage."))
    if not ButtonForm().validate():
        abort(400, _("The form expired; reload the page and try again."))
    return user


def named_account(user_id: int) -> User:
    """An account `current_user` manages that still has its name and address (not anonymised), else 404."""
    user = db.session.get(User, user_id)
    if user is None or not may_manage_account(current_user, user) or user.email.endswith(ANONYMISED_DOMAIN):
        abort(404, _("There is no such account among those you manage."))
    return user


def _back():
    """To the page the button was on (a student's page sends `next`), else the accounts list."""
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("admin.accounts_page", q=_search() or None))


@bp.route("/accounts/<id:user_id>/deactivate", methods=["POST"])
@managers_only
def deactivate_account(user_id: int):
    user = _managed(user_id)
    cancelled = deactivate(user)
    db.session.commit()
    flash(ngettext("%(name)s (%(email)s) is deactivated: their sessions ended and %(num)d queued email was "
                   "cancelled.", "%(name)s (%(email)s) is deactivated: their sessions ended and %(num)d queued emails "
                   "were cancelled.", cancelled, name=user.name, email=user.email) if cancelled else
          _("%(name)s (%(email)s) is deactivated: their sessions ended.", name=user.name, email=user.email), "success")
    return _back()


@bp.route("/accounts/<id:user_id>/reactivate", methods=["POST"])
@managers_only
def reactivate_account(user_id: int):
    user = _managed(user_id)
    reactivate(user)
    db.session.commit()
    flash(_("%(name)s (%(email)s) is active again and can log in.", name=user.name, email=user.email), "success")
    return _back()


@bp.route("/accounts/<id:user_id>/anonymise", methods=["GET", "POST"])
@managers_only
def anonymise_account(user_id: int):
    """Confirm, then replace the person by "Former resident" everywhere (app/auth/privacy.py)."""
    user = named_account(user_id)
    form = ButtonForm()
    if request.method == "POST" and form.validate():
        anonymise(user)
        db.session.commit()
        flash(_("The account is anonymised: the name, address and free text are gone; the issues stay as a "
                "former resident's."), "success")
        return _back()
    return render_template("admin/anonymise.html", user=user, form=form), 400 if form.errors else 200
