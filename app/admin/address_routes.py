"""Correcting an account's email address (house admins for their students, developers for anyone), and the
issue page's delivery section (added to admin's bp)."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import address, deliveries
from app.admin.account_routes import managers_only, named_account
from app.admin.routes import bp
from app.extensions import db
from app.models.accounts import User

bp.add_app_template_global(deliveries.of_issue, "issue_deliveries")
bp.add_app_template_global(deliveries.flag_of, "bounce_flag")
bp.add_app_template_global(deliveries.flags_of, "bounce_flags")


def _back_to() -> str:
    """Where to go after the change: the issue page it was asked from, else the accounts page."""
    issue_id = request.values.get("issue", "")
    if issue_id.isascii() and issue_id.isdigit() and len(issue_id) < 12:
        return url_for("admin.issue_detail", issue_id=int(issue_id))
    return url_for("admin.accounts_page")


@bp.route("/accounts/<id:user_id>/email", methods=["GET", "POST"])
@managers_only
def account_email(user_id: int):
    user = named_account(user_id)
    form = address.AddressForm(data=None if request.method == "POST" else {"email": user.email})
    if form.validate_on_submit():
        old = user.email
        try:
            changed, resent = address.correct(user, form.email.data, current_user)
            db.session.commit()
        except (address.AddressTaken, sa.exc.IntegrityError) as exc:
            db.session.rollback()
            form.email.errors.append(str(exc) if isinstance(exc, address.AddressTaken)
                                     else "Another account already uses this address.")
        else:
            flash(_outcome(user, old, changed, resent), "success" if changed else "warning")
            return redirect(_back_to())
    return render_template("admin/account_email.html", user=user, form=form, flag=deliveries.flag_of(user),
                           changes=address.history(user), back=_back_to()), 400 if form.is_submitted() else 200


def _outcome(user: User, old: str, changed: bool, resent: int) -> str:
    if not changed:
        return "Nothing changed: that is the address the account has, and it is not marked undeliverable."
    again = (f" {resent} email{'s' if resent != 1 else ''} that could not be delivered (issue notices of the last "
             f"{address.RESEND_DAYS} days) {'were' if resent != 1 else 'was'} queued again to it.") if resent else ""
    if user.email == old:
        return f"{user.email} is no longer marked undeliverable: mail to it goes out again.{again}"
    sent = "a verification link" if not user.is_verified else "a notice"
    return f"{user.name}'s address is now {user.email} (was {old}); {sent} was queued to it.{again}"
