"""Correcting an account's email address (house admins for their students, developers for anyone), and the
issue page's delivery section (added to admin's bp)."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
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
                                     else _("Another account already uses this address."))
        else:
            flash(_outcome(user, old, changed, resent), "success" if changed else "warning")
            return redirect(_back_to())
    return render_template("admin/account_email.html", user=user, form=form, flag=deliveries.flag_of(user),
                           changes=address.history(user), back=_back_to()), 400 if form.is_submitted() else 200


def _outcome(user: User, old: str, changed: bool, resent: int) -> str:
    if not changed:
        return _("Nothing changed: that is the address the account has, and it is not marked undeliverable.")
    again = (" " + ngettext("%(num)d email that could not be delivered (issue notices of the last %(days)d days) was "
                            "queued again to it.", "%(num)d emails that could not be delivered (issue notices of the "
                            "last %(days)d days) were queued again to it.", resent, days=address.RESEND_DAYS)
             ) if resent else ""
    if user.email == old:
        return _("%(email)s is no longer marked undeliverable: mail to it goes out again.", email=user.email) + again
    if not user.is_verified:
        return _("%(name)s's address is now %(email)s (was %(old)s); a verification link was queued to it.",
                 name=user.name, email=user.email, old=old) + again
    return _("%(name)s's address is now %(email)s (was %(old)s); a notice was queued to it.",
             name=user.name, email=user.email, old=old) + again
