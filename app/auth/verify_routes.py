"""Address verification views: "check your email", a new link, and the link itself (added to auth's bp)."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import account_mail, guessing
from app.auth.forms import ConfirmPasswordForm, ResendForm
from app.auth.routes import TOO_MANY_LINKS, bp, safe_next
from app.auth.session import start_session
from app.auth.verification import LinkState, check_token, mark_verified


def _check_email_page(form: ResendForm, status: int = 200):
    return render_template("auth/check_email.html", form=form, email=session.get("verify_email"),
                           next_path=safe_next()), status


@bp.route("/verify")
def check_email():
    """Where registration leads: the address the link went to, and a form for a new link."""
    return _check_email_page(ResendForm(formdata=None, data={"email": session.get("verify_email", "")}))


@bp.route("/verify/resend", methods=["GET", "POST"])
def resend_verification():
    form = ResendForm()
    if not form.validate_on_submit():
        return _check_email_page(form, 400 if form.errors else 200)
    if not account_mail.request_verification(form.email.data):
        form.form_errors.append(TOO_MANY_LINKS)
        return _check_email_page(form, 429)
    session["verify_email"] = form.email.data
    flash(ngettext("If that address has an account waiting for confirmation, a new link is on its way (at most one "
                   "every %(num)d minute). It works once, for 24 hours.",
                   "If that address has an account waiting for confirmation, a new link is on its way (at most one "
                   "every %(num)d minutes). It works once, for 24 hours.",
                   current_app.config["ACCOUNT_MAIL_COOLDOWN_MINUTES"]), "info")
    return redirect(url_for("auth.check_email"))


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    """The emailed link: the password chosen at registration completes it (a link alone is not enough, so an
    address someone else registered cannot be taken over by clicking)."""
    user, state = check_token(token)
    if state is LinkState.USED:
        flash(_("Your email address is already confirmed: log in."), "info")
        return redirect(url_for("auth.login", next=safe_next()))
    if user is None:
        flash(_("That link has expired or was already replaced by a newer one. Ask for a new one below."), "error")
        return redirect(url_for("auth.check_email"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        attempt = guessing.begin(user.email, request.remote_addr or "unknown")
        if attempt.refused:
            form.form_errors.append(attempt.message)
            return render_template("auth/verify.html", form=form, user=user), 429
        if not user.check_password(form.password.data):
            form.password.errors.append(_("That is not the password you chose when you registered."))
            return render_template("auth/verify.html", form=form, user=user), 400
        mark_verified(user)
        guessing.succeeded(attempt)
        start_session(user)
        flash(_("Your email address is confirmed. A house admin will now approve your registration; we will email "
                "you.") if user.awaiting_approval else _("Your email address is confirmed."), "success")
        return redirect(safe_next() or url_for("main.index"))
    return render_template("auth/verify.html", form=form, user=user), 400 if form.errors else 200
