"""University sign-in views (added to auth's bp): start, the provider's callback, a newcomer's house and room.

Every way a callback can fail answers with a page that says what happened and a way back to the login page,
a 4xx (503 while the provider cannot be reached), and stores nothing.
"""
import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth import oidc, oidc_accounts, privacy_routes
from app.auth.access import is_safe_next
from app.auth.forms import RegisterForm
from app.auth.routes import bp
from app.auth.session import end_current_session, start_session
from app.extensions import db
from app.models.accounts import SignInMethod

NEXT = "oidc_next"
NEWCOMER = "oidc_newcomer"
NEWCOMER_MINUTES = 30  # a proven newcomer has this long to give their house and room

NO_LOGIN = _l("There is no university sign-in in progress in this browser (it may have expired, been finished "
              "already, or been started elsewhere). Start again from the login page.")
UNVERIFIABLE = _l("The university's answer could not be checked, so you are not signed in. Start again from the "
                  "login page; if it happens again, tell the residence office.")
UNREACHABLE = _l("The university sign-in cannot be reached right now. Try again in a few minutes, or log in with "
                 "your password if you have one.")


# With AUTH_PASSWORDS off these answer 404, and /login only offers the university sign-in.
PASSWORD_PAGES = {"auth.register", "auth.forgot_password", "auth.reset_password", "auth.check_email",
                  "auth.resend_verification", "auth.verify"}


@bp.before_app_request
def _passwords_off():
    if oidc.passwords_enabled():
        return None
    if request.endpoint in PASSWORD_PAGES or (request.endpoint == "auth.login" and request.method == "POST"):
        abort(404, _("Passwords are not used here: sign in with your university account from the login page."))
    return None


class NewcomerForm(RegisterForm):
    """A newcomer's house and room (their address and name come from the university)."""
    email = name = password = confirm = None


def _refused(message: str, status: int, reason: str):
    current_app.logger.info("university sign-in refused: %s", reason)
    db.session.rollback()
    return render_template("auth/university_refused.html", message=message), status


def _enabled() -> None:
    if not oidc.enabled():
        abort(404, _("University sign-in is not set up here."))


@bp.route("/login/university")
def oidc_start():
    _enabled()
    target = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(target if is_safe_next(target) else url_for("main.index"))
    session[NEXT] = target if is_safe_next(target) else None
    try:
        return oidc.authorize_redirect()
    except oidc.unreachable() as exc:
        return _refused(UNREACHABLE, 503, f"provider unreachable: {type(exc).__name__}")


@bp.route("/login/university/callback")
def oidc_callback():
    _enabled()
    try:
        if request.args.get("iss") not in (None, oidc.issuer()):  # RFC 9207: the answer is from our provider
            return _refused(UNVERIFIABLE, 400, "iss parameter of another issuer")
        claims = oidc.verified_claims()
    except oidc.state_mismatch():
        return _refused(NO_LOGIN, 400, "no sign-in in progress for this state")
    except oidc.oauth_refused() as exc:
        return _refused(UNVERIFIABLE, 400, f"provider error {exc.error}")
    except oidc.unreachable() as exc:
        return _refused(UNREACHABLE, 503, f"provider unreachable: {type(exc).__name__}")
    except oidc.provider_errors() as exc:
        return _refused(UNVERIFIABLE, 400, f"ID token refused: {type(exc).__name__}: {str(exc)[:120]}")
    if session.get(privacy_routes.DELETING) is not None:
        return privacy_routes.confirmed_at_university(claims)
    found = oidc_accounts.sign_in(claims)
    if found.refusal is not None:
        return _refused(found.message(), 403, found.refusal.name)
    if found.user is None:
        session[NEWCOMER] = {**found.newcomer, "at": time.time()}
        return redirect(url_for("auth.oidc_details"))
    return _sign_in(found.user)


def _sign_in(user):
    if current_user.is_authenticated:
        end_current_session()
    start_session(user, SignInMethod.UNIVERSITY)
    target = session.pop(NEXT, None)
    return redirect(target if is_safe_next(target) else url_for("main.index"))


def _newcomer() -> dict | None:
    newcomer = session.get(NEWCOMER)
    if not isinstance(newcomer, dict) or time.time() - newcomer.get("at", 0) > NEWCOMER_MINUTES * 60:
        session.pop(NEWCOMER, None)
        return None
    return newcomer


@bp.route("/login/university/details", methods=["GET", "POST"])
def oidc_details():
    _enabled()
    newcomer = _newcomer()
    if newcomer is None:
        return _refused(NO_LOGIN, 400, "details without a proven newcomer")
    form = NewcomerForm()
    if not form.is_submitted():
        form.prefill_house(request.args.get("house", ""))
    if not form.validate_on_submit():
        return render_template("auth/university_details.html", form=form, newcomer=newcomer), \
            400 if form.errors else 200
    user = oidc_accounts.create_newcomer(newcomer, form.house_obj, form.room_obj)
    session.pop(NEWCOMER, None)
    if user is None:
        flash(_("Your account was created a moment ago (in another tab?): sign in again."), "info")
        return redirect(url_for("auth.login"))
    return _sign_in(user)
