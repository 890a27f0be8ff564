"""Correcting an account's email address from the browser (an admin of the student's houses, or a developer),
typically after it hard-bounced (app/emailer/bounces.py).

The new address is checked like a registration's, must be unused, and takes effect at once: the flag is
cleared and the change recorded (AddressChange). It is not re-verified before use: the admin vouches for it,
as for an approval, and the account stays usable (a verified account must not lose its notices or its log-in
over an admin's fix). A notice goes to the new address through the outbox (an unverified account gets its
verification link there instead), which also tests it: should it bounce, the flag comes back at once. The old
address is told too (the new one masked), and the set-password links sent to it stop working
(app/auth/services.py: link_stamp).

Mail skipped for the bounced address in the last RESEND_DAYS that still matters is queued again, to the
corrected address: issue notices (the latest of each kind per issue, and none about an issue that is closed
and settled). Security mail is not (its links are dead or superseded: the account gets fresh ones), nor bulk
mail (reminders and digests come again) nor alerts. Each skipped row is moved back to the queue by one
guarded UPDATE, so parallel corrections re-queue it once.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from app.auth.account_mail import send_verification
from app.auth.forms import Form, normalise_email, validate_university_email
from app.auth.rules import EMAIL_MAX
from app.emailer import bounces, enqueue
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.deliveries import AddressChange, outbox_issues
from app.models.issues import Issue, IssueStatus
from app.models.mail import MailStatus, OutboxEmail, Purpose

RESEND_DAYS = 7
RESEND_PURPOSES = (Purpose.NOTICE, Purpose.URGENT)


class AddressForm(Form):
    email = EmailField(_l("Correct email address"), filters=[normalise_email], validators=[
        DataRequired(), Length(max=EMAIL_MAX), Email(_l("Enter a valid email address.")), validate_university_email,
    ])


class AddressTaken(ValueError):
    """Another account has the address."""


def history(user: User) -> list[AddressChange]:
    return list(db.session.scalars(sa.select(AddressChange).where(AddressChange.user_id == user.id)
                                   .order_by(AddressChange.id.desc()).limit(10)))


def correct(user: User, new: str, actor: User) -> tuple[bool, int]:
    """Give `user` the address `new` (validated by AddressForm), clear the bounce flags of the old and new
    address, record the change, queue the notice and re-queue the skipped mail that matters. The caller
    commits. Returns whether anything changed (not when the same address was not flagged) and how many
    skipped emails were queued again; raises AddressTaken."""
    old = user.email
    cleared = bounces.clear(old, actor.email)
    if new == old:
        return cleared, resend_skipped(old, new) if cleared else 0
    if db.session.scalar(sa.select(User.id).where(User.email == new, User.id != user.id)) is not None:
        raise AddressTaken(_("Another account already uses this address."))
    bounces.clear(new, actor.email)
    user.email = new
    db.session.add(AddressChange(user_id=user.id, old_address=old, new_address=new, changed_by_id=actor.id))
    db.session.flush()
    if not user.is_verified:
        send_verification(user)
    else:
        enqueue("address_changed", new, {"name": user.name, "link": current_app.config["BASE_URL"] + url_for(
            "auth.login")}, purpose=Purpose.SECURITY)
    enqueue("address_moved", old, {"name": user.name, "new": masked(new), "by": actor.name},
            purpose=Purpose.SECURITY)
    return True, resend_skipped(old, new)


def masked(address: str) -> str:
    """`address` with its local part hidden but its first letter (the old address may be a stranger's)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _settled(issue: Issue) -> bool:
    """Closed for good: won't fix, or resolved and confirmed (a resolved notice still asks the student)."""
    return issue.status == IssueStatus.WONT_FIX or (issue.status == IssueStatus.RESOLVED and
                                                    issue.confirmed_at is not None)


def resend_skipped(old: str, new: str) -> int:
    """Queue again, to `new`, the mail skipped for `old` that still matters (see the module); returns how many."""
    rows = db.session.scalars(sa.select(OutboxEmail).where(
        OutboxEmail.status == MailStatus.SKIPPED, sa.func.lower(OutboxEmail.to_address) == old.lower(),
        OutboxEmail.purpose.in_(RESEND_PURPOSES), OutboxEmail.created_at >= utcnow() - timedelta(days=RESEND_DAYS))
        .order_by(OutboxEmail.id.desc())).all()
    issues: dict[int, list[Issue]] = {}
    for outbox_id, issue in db.session.execute(
            sa.select(outbox_issues.c.outbox_id, Issue).join(Issue, Issue.id == outbox_issues.c.issue_id)
            .where(outbox_issues.c.outbox_id.in_([row.id for row in rows]))) if rows else ():
        issues.setdefault(outbox_id, []).append(issue)
    seen, chosen = set(), []
    for row in rows:  # newest first: the latest of each coalesced kind (an update per issue) stands for the rest
        kind = row.coalesce_key or f"row:{row.id}"
        if kind in seen or (issues.get(row.id) and all(_settled(issue) for issue in issues[row.id])):
            continue
        seen.add(kind)
        chosen.append(row.id)
    if not chosen:
        return 0
    return db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.id.in_(chosen), OutboxEmail.status == MailStatus.SKIPPED)
        .values(status=MailStatus.QUEUED, to_address=new, send_after=utcnow(), attempts=0, first_failed_at=None,
                last_error=None, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)).rowcount
