"""Account views."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.auth import services
from app.auth.access import is_safe_next
from app.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    RegisterForm,
    SetPasswordForm,
)
from app.extensions import csrf, db
from app.models.accounts import Role, User

bp = Blueprint("auth", __name__)

# Every POST view here validates a FlaskForm, which checks the CSRF token itself before anything is stored.
# Left to the forms (instead of the global check, which answers with a bare error page), a stale or missing
# token shows the same form again with a clear message and what the user typed. tests/auth/test_csrf.py
# sends every POST route of this blueprint without a valid token.
csrf.exempt(bp)


def _redirect_next(default: str = "main.index"):
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for(default))


def _safe_next() -> str | None:
    """The `next` path from the form or the query string, if it is a local path."""
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else None


@bp.route("/register", methods=["GET", "POST"])
def register():
    next_path = _safe_next()
    if current_user.is_authenticated:
        return redirect(next_path or url_for("main.index"))
    form = RegisterForm()
    if not form.is_submitted():
        form.prefill_house(request.args.get("house", ""))
    if form.validate_on_submit():
        user = User(email=form.email.data, name=form.name.data, role=Role.STUDENT,
                    house=form.house_obj, room=form.room_obj)
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # a second request with the same email won the race
            db.session.rollback()
            form.email.errors.append("An account with this email already exists. Log in or reset your password.")
            return render_template("auth/register.html", form=form, next_path=next_path), 400
        login_user(user)
        flash(f"Welcome, {user.name}! Your account is ready.", "success")
        return redirect(next_path or url_for("main.index"))
    return render_template("auth/register.html", form=form, next_path=next_path), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _redirect_next()
    form = LoginForm()
    if form.validate_on_submit():
        email, ip = form.email.data.strip().lower(), request.remote_addr or "unknown"
        if services.too_many_failures(email, ip):
            form.form_errors.append("Too many failed attempts. Wait 15 minutes or reset your password.")
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(email, form.password.data)
        if user is None:
            services.note_failure(email, ip)
            form.form_errors.append("Email or password is not right.")
            return render_template("auth/login.html", form=form), 400
        services.clear_failures(email)
        db.session.commit()
        login_user(user)
        return _redirect_next()
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = LogoutForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        flash("You have been logged out.", "info")
        return redirect(url_for("auth.login"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form), 400 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.send_password_email(form.email.data)
        flash("If that address has an account, a link to set a new password is on its way. "
              "It works once, for 24 hours.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_from_token(token)
    if user is None:
        flash("That link has expired or was already used. Ask for a new one below.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        services.clear_failures(user.email)
        db.session.commit()
        login_user(user)
        flash("Your password is set.", "success")
        return _redirect_next()
    return render_template("auth/reset_password.html", form=form, user=user), 400 if form.errors else 200
