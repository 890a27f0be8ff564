"""A person's own data: download it as JSON, or (students) have the account anonymised (added to auth's bp)."""
import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import guessing
from app.auth.access import role_required
from app.auth.forms import ConfirmPasswordForm
from app.auth.privacy import anonymise, export
from app.auth.routes import bp
from app.auth.session import end_current_session
from app.extensions import db
from app.models.accounts import Role


@bp.route("/account/privacy")
@login_required
def privacy():
    return render_template("auth/privacy.html", form=ConfirmPasswordForm())


@bp.route("/account/data.json")
@login_required
def my_data():
    body = json.dumps(export(current_user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="rinaibra-my-data.json"'})


@bp.post("/account/privacy/delete")
@role_required(Role.STUDENT)  # staff accounts are closed by a developer (anonymise on /admin/accounts)
def delete_account():
    """A student's own request: with their password, the account is anonymised at once and they are logged out."""
    form = ConfirmPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/privacy.html", form=form), 400
    attempt = guessing.begin(current_user.email, request.remote_addr or "unknown")
    if attempt.refused:
        form.form_errors.append(attempt.message)
        return render_template("auth/privacy.html", form=form), 429
    if not current_user.check_password(form.password.data):
        form.password.errors.append(_("That is not your password; nothing was deleted."))
        return render_template("auth/privacy.html", form=form), 400
    guessing.succeeded(attempt)
    anonymise(current_user)
    db.session.commit()
    end_current_session()
    flash(_("Your account is deleted: your name, address and what you wrote are gone. The issues you reported "
            "stay with the residence as a former resident's."), "info")
    return redirect(url_for("auth.login"))
