"""Registration: an account that cannot log in until its address is verified.

- A new address gets a new student account (unverified, waiting for a house admin's approval).
- An address on a house's roster (an account without a password) keeps its roster house and room; its email
  verifies the address and sets the password in one step. Nothing the form says is stored on it.
- An address whose account was never verified may register again (the newest registration wins and the
  earlier link stops working), so nobody can hold an address they cannot read.
- A verified or deactivated account is never changed. The answer is the same as for a new address (the page
  does not tell who has an account): the owner is emailed instead (not a deactivated one), within the same
  per-address limits, and a password is hashed as a registration would (no timing tells either).
Registrations per client address are limited (REGISTER_PER_HOUR, REGISTER_PER_DAY); the verification email
is limited per address like the set-password email (app/auth/account_mail.py).
"""
import enum
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth import account_mail
from app.auth.services import find_user
from app.extensions import db
from app.limits import Limit, take
from app.models.accounts import Role, User, hash_password
from app.models.houses import House, Room


class Outcome(enum.Enum):
    SENT = "sent"              # a verification email is queued
    EXISTS = "exists"          # a verified (or deactivated) account has this address: answered as SENT
    TOO_SOON = "too_soon"      # a verification email went to this address within the cooldown
    TOO_MANY = "too_many"      # the client address registered too often (nothing stored)
    BUSY = "busy"              # the mail cap of the client or of all anonymous clients is reached (nothing stored)


def client_limits() -> tuple[Limit, Limit]:
    ip, lock, config = account_mail.client_address(), account_mail.client_lock(), current_app.config
    return (Limit(f"register:ip:{ip}:hour", config["REGISTER_PER_HOUR"], timedelta(hours=1), lock=lock),
            Limit(f"register:ip:{ip}:day", config["REGISTER_PER_DAY"], timedelta(days=1), lock=lock))


def _may_register_again(user: User) -> bool:
    return user.is_student and not user.is_verified and not user.is_deactivated


def _limits(email: str) -> Outcome | None:
    """Count the registration against the client address and the address's emails: one `take`, so every lock
    is taken in one order. The refusal (its counts committed), or None."""
    per_client = client_limits()
    refused = take(*per_client, *account_mail.address_limits(account_mail.VERIFY, email))
    if refused is None:
        return None
    db.session.commit()  # keep the counts
    return Outcome.TOO_MANY if refused in per_client else Outcome.TOO_SOON


def register(email: str, name: str, house: House, room: Room, password: str, next_path: str | None) -> Outcome:
    """Create (or renew) the unverified account for `email` and queue its verification email. Commits."""
    user = find_user(email)
    if (refused := _limits(email)) is not None:
        return refused
    if user is not None and not _may_register_again(user):
        hash_password(password)  # the work a registration does
        if not user.is_deactivated:
            account_mail.send_account_exists(user)
        db.session.commit()
        return Outcome.EXISTS
    savepoint = db.session.begin_nested()  # the account and its email are stored together or not at all
    if user is None:
        user = User.unverified(email=email, role=Role.STUDENT)
        db.session.add(user)
    if user.password_hash is not None or user.id is None:  # a roster account keeps its roster data
        user.name, user.house, user.room = name, house, room
        user.set_password(password)
    try:
        db.session.flush()  # the id for the link
    except IntegrityError:  # a parallel registration of the same address won (its email is on its way)
        db.session.rollback()
        return Outcome.EXISTS
    if not account_mail.send_verification(user, next_path):
        savepoint.rollback()
        account_mail.count_held_back_verification()
        db.session.commit()  # the limits' counts stay
        return Outcome.BUSY
    savepoint.commit()
    db.session.commit()
    return Outcome.SENT
