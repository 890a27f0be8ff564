"""Account views."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.auth import account_mail, guessing, oidc, registration, services, waiting
from app.auth.access import is_safe_next
from app.auth.forms import (
    PASSWORD_MIN,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    ResendForm,
    SetPasswordForm,
)
from app.auth.session import end_current_session, start_session
from app.extensions import csrf, db
from app.models.accounts import User

bp = Blueprint("auth", __name__)
bp.add_app_template_global(waiting.approval_help, "approval_help")
bp.record_once(lambda state: state.app.jinja_env.globals.update(password_min=PASSWORD_MIN))

# Every POST view here validates a FlaskForm, which checks the CSRF token itself before anything is stored.
# Left to the forms (instead of the global check, which answers with a bare error page), a stale or missing
# token shows the same form again with a clear message and what the user typed. tests/auth/test_csrf.py
# sends every POST route of this blueprint without a valid token.
csrf.exempt(bp)

TOO_MANY_LINKS = _l("Too many links were asked for from your network in the last hour, so no email was sent. "
                    "Your entry is kept: try again later.")


def _redirect_next(user=None):
    """To the `next` path, else to the person's work: My jobs for staff, the home page for the others."""
    target = request.args.get("next")
    default = "staff.index" if user is not None and user.is_staff else "main.index"
    return redirect(target if is_safe_next(target) else url_for(default))


def safe_next() -> str | None:
    """The `next` path from the form or the query string, if it is a local path."""
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else None


def _register_page(form: RegisterForm, next_path: str | None, status: int):
    return render_template("auth/register.html", form=form, next_path=next_path), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    next_path = safe_next()
    if current_user.is_authenticated:
        return redirect(next_path or url_for("main.index"))
    form = RegisterForm()
    if not form.is_submitted():
        form.prefill_house(request.args.get("house", ""))
    if not form.validate_on_submit():
        return _register_page(form, next_path, 400 if form.errors else 200)
    outcome = registration.register(form.email.data, form.name.data, form.house_obj, form.room_obj,
                                    form.password.data, next_path)
    if outcome is registration.Outcome.TOO_MANY:
        form.form_errors.append(_("Too many accounts were registered from your network recently, so this one was "
                                  "not. Your entries are kept: try again in an hour."))
        return _register_page(form, next_path, 429)
    if outcome is registration.Outcome.BUSY:
        form.form_errors.append(_("Too many confirmation emails are going out right now, so your account was not "
                                  "created yet. Your entries are kept: try again later."))
        return _register_page(form, next_path, 429)
    if outcome is registration.Outcome.TOO_SOON:
        form.form_errors.append(ngettext(
            "We sent a confirmation link to %(email)s a few minutes ago: open it, or check your spam folder. You "
            "can register again in %(num)d minute.",
            "We sent a confirmation link to %(email)s a few minutes ago: open it, or check your spam folder. You "
            "can register again in %(num)d minutes.",
            current_app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"], email=form.email.data))
        return _register_page(form, next_path, 429)
    session["verify_email"] = form.email.data  # SENT, or EXISTS answered the same (its owner is emailed)
    return redirect(url_for("auth.check_email", next=next_path))


def _login_refused(form: LoginForm, user: User):
    """A right password for an account that may not log in (yet): say why; offer a new link if unverified."""
    if user.is_deactivated:
        form.form_errors.append(_("This account is deactivated. Ask your house admin if you think that is a mistake."))
        return render_template("auth/login.html", form=form), 403
    form.form_errors.append(_("Confirm your email address first: open the link we sent to %(email)s when you "
                              "registered (it works for 24 hours).", email=user.email))
    return render_template("auth/login.html", form=form, resend_form=ResendForm(formdata=None)), 403


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _redirect_next(current_user)
    form = LoginForm()
    if form.validate_on_submit():
        attempt = guessing.begin(form.email.data, request.remote_addr or "unknown")
        if attempt.refused:
            form.form_errors.append(attempt.message)
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(attempt.email, form.password.data)
        if user is None:
            form.form_errors.append(_("Email or password is not right."))
            return render_template("auth/login.html", form=form), 400
        guessing.succeeded(attempt)
        db.session.commit()
        if not user.is_active:
            return _login_refused(form, user)
        start_session(user)
        return _redirect_next(user)
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        end_current_session()
        flash(_("You have been logged out."), "info")
        return redirect(oidc.logout_url() or url_for("auth.login"))  # and at the university, if signed in there
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form), 400 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not account_mail.request_password_link(form.email.data):
            form.form_errors.append(TOO_MANY_LINKS)
            return render_template("auth/forgot_password.html", form=form), 429
        flash(ngettext("If that address has an account, a link to set a new password is on its way (at most one "
                       "every %(num)d minute). It works once, for 24 hours.",
                       "If that address has an account, a link to set a new password is on its way (at most one "
                       "every %(num)d minutes). It works once, for 24 hours.",
                       current_app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_from_token(token)
    if user is None:
        flash(_("That link has expired or was already used. Ask for a new one below."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = SetPasswordForm.for_user(user)
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        start_session(user)
        flash(_("Your password is set."), "success")
        return _redirect_next()
    return render_template("auth/reset_password.html", form=form, user=user), 400 if form.errors else 200
