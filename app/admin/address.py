"""Correcting an account's email address from the browser (an admin of the student's houses, or a developer),
typically after it hard-bounced (app/emailer/bounces.py).

The new address is checked like a registration's, must be unused, and takes effect at once: the flag is
cleared and the change recorded (AddressChange). It is not re-verified before use: the admin vouches for it,
as for an approval, and the account stays usable (a verified account must not lose its notices or its log-in
over an admin's fix). A notice goes to the new address through the outbox (an unverified account gets its
verification link there instead), which also tests it: should it bounce, the flag comes back at once.
"""
import sqlalchemy as sa
from flask import current_app, url_for
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from app.auth.account_mail import send_verification
from app.auth.forms import Form, normalise_email, validate_university_email
from app.auth.rules import EMAIL_MAX
from app.emailer import bounces, enqueue
from app.extensions import db
from app.models.accounts import User
from app.models.deliveries import AddressChange
from app.models.mail import Purpose


class AddressForm(Form):
    email = EmailField("Correct email address", filters=[normalise_email], validators=[
        DataRequired(), Length(max=EMAIL_MAX), Email("Enter a valid email address."), validate_university_email,
    ])


class AddressTaken(ValueError):
    """Another account has the address."""


def history(user: User) -> list[AddressChange]:
    return list(db.session.scalars(sa.select(AddressChange).where(AddressChange.user_id == user.id)
                                   .order_by(AddressChange.id.desc()).limit(10)))


def correct(user: User, new: str, actor: User) -> bool:
    """Give `user` the address `new` (validated by AddressForm), clear the bounce flags of the old and new
    address, record the change and queue the notice. The caller commits. Returns False when nothing changed
    (the same address, not flagged); raises AddressTaken."""
    old = user.email
    cleared = bounces.clear(old, actor.email)
    if new == old:
        return cleared
    if db.session.scalar(sa.select(User.id).where(User.email == new, User.id != user.id)) is not None:
        raise AddressTaken("Another account already uses this address.")
    bounces.clear(new, actor.email)
    user.email = new
    db.session.add(AddressChange(user_id=user.id, old_address=old, new_address=new, changed_by_id=actor.id))
    db.session.flush()
    if not user.is_verified:
        send_verification(user)
    else:
        enqueue("address_changed", new, {"name": user.name, "link": current_app.config["BASE_URL"] + url_for(
            "auth.login")}, purpose=Purpose.SECURITY)
    return True
