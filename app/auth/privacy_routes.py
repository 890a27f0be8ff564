"""A person's own data: download it as JSON, or (students) have the account anonymised (added to auth's bp).

Deleting is confirmed with the password, or, for an account without one (or where passwords are off), by signing
in again at the university: the provider is asked to prompt for the login, and its ID token must be for this
account's identity, authenticated after the request (`auth_time`).
"""
import json
import time

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import guessing, oidc
from app.auth.access import role_required
from app.auth.forms import ConfirmPasswordForm, Form
from app.auth.privacy import anonymise, export
from app.auth.routes import bp
from app.auth.session import end_current_session
from app.extensions import db
from app.models.accounts import OidcIdentity, Role, User

DELETING = "deleting_account"  # the session key of a deletion waiting for the university's confirmation
DELETING_MINUTES = 10
CLOCK_SKEW_SECONDS = 60  # the provider's clock against ours, for `auth_time`


def by_university(user: User) -> bool:
    """Whether `user` confirms with a university sign-in instead of a password."""
    return oidc.enabled() and (not oidc.passwords_enabled() or not user.password_hash)


def _privacy_page(form: Form | None = None, status: int = 200, problem: str | None = None):
    """The page, with the deletion form this account confirms with and what went wrong."""
    university = by_university(current_user)
    form = form or (Form() if university else ConfirmPasswordForm())
    if problem:
        form.form_errors.append(problem)
    return render_template("auth/privacy.html", form=form, by_university=university), status


@bp.route("/account/privacy")
@login_required
def privacy():
    return _privacy_page()


@bp.route("/account/data.json")
@login_required
def my_data():
    body = json.dumps(export(current_user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="rinaibra-my-data.json"'})


@bp.post("/account/privacy/delete")
@role_required(Role.STUDENT)  # staff accounts are closed by a developer (anonymise on /admin/accounts)
def delete_account():
    """A student's own request: with their password (or a fresh university sign-in, see the module), the account
    is anonymised at once and they are logged out."""
    if by_university(current_user):
        return _confirm_at_university()
    form = ConfirmPasswordForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 400)
    attempt = guessing.begin(current_user.email, request.remote_addr or "unknown")
    if attempt.refused:
        return _privacy_page(form, 429, attempt.message)
    if not current_user.check_password(form.password.data):
        form.password.errors.append(_("That is not your password; nothing was deleted."))
        return _privacy_page(form, 400)
    guessing.succeeded(attempt)
    return _delete()


def _confirm_at_university():
    form = Form()
    if not form.validate_on_submit():  # the CSRF token
        return _privacy_page(form, 400)
    session[DELETING] = {"user": current_user.id, "at": int(time.time())}
    try:
        return oidc.authorize_redirect(prompt="login", max_age=0)
    except oidc.unreachable():
        session.pop(DELETING, None)
        return _privacy_page(form, 503, _("The university sign-in cannot be reached right now, so nothing was "
                                          "deleted. Try again in a few minutes."))


def confirmed_at_university(claims: dict):
    """The university's callback while a deletion waits in this browser (app/auth/oidc_routes.py): delete when the
    ID token is this account's identity, signed in after the request; else say why nothing was deleted."""
    waiting = session.pop(DELETING)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not isinstance(waiting, dict) or waiting.get("user") != current_user.id or \
            time.time() - waiting.get("at", 0) > DELETING_MINUTES * 60:
        return _privacy_page(status=400, problem=_("That confirmation came too late or was started for another "
                                                   "account, so nothing was deleted. Try again."))
    identity = db.session.scalar(sa.select(OidcIdentity).where(
        OidcIdentity.issuer == str(claims["iss"]), OidcIdentity.subject == str(claims["sub"])))
    if identity is None or identity.user_id != current_user.id:
        return _privacy_page(status=403, problem=_("You signed in at the university as someone else, so nothing "
                                                   "was deleted."))
    if int(claims.get("auth_time") or 0) < waiting["at"] - CLOCK_SKEW_SECONDS:
        return _privacy_page(status=403, problem=_("The university did not ask for your login again, so nothing "
                                                   "was deleted. Try again."))
    return _delete()


def _delete():
    anonymise(current_user)
    db.session.commit()
    end_current_session()
    flash(_("Your account is deleted: your name, address and what you wrote are gone. The issues you reported "
            "stay with the residence as a former resident's."), "info")
    return redirect(url_for("auth.login"))
