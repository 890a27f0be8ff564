"""Set-password and verification emails asked for by anonymous visitors.

Per address: at most one link of each kind per ACCOUNT_MAIL_COOLDOWN_MINUTES and ACCOUNT_MAIL_PER_DAY a day;
per client address (IPv6: its /64): ACCOUNT_MAIL_PER_IP_HOUR an hour, whatever the addresses. Verification
mail also counts against the ceiling of all anonymous security mail (app/emailer/causes.py); over it nothing
is queued and the page says to try again later. The answer does not depend on
whether an address has an account, and neither does the work behind it: for an address without one the
email is queued in a savepoint that is rolled back, so both cases run the same statements.
Each request takes its limits in one `take` (their locks in one order), so two requests cannot deadlock.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, request

from app.auth.services import password_link
from app.auth.verification import verification_link
from app.emailer import causes
from app.emailer.admission import Letter, admit
from app.extensions import db
from app.limits import Limit, digest, take
from app.models.accounts import Role, User
from app.models.mail import Purpose

PASSWORD, VERIFY = "forgot", "verify"


def client_address() -> str:
    """The client address as limits count it (an IPv6 client by its /64)."""
    return causes.client_key(request.remote_addr)


def client_lock() -> str:
    """The limiter lock of the client address: the same as its mail cap's (app/emailer/causes.py)."""
    return f"ip:{client_address()}"


def client_limit() -> Limit:
    return Limit(f"account-mail:ip:{client_address()}:hour", current_app.config["ACCOUNT_MAIL_PER_IP_HOUR"],
                 timedelta(hours=1), lock=client_lock())


def address_limits(kind: str, email: str) -> tuple[Limit, Limit]:
    """One email of `kind` per cooldown and a few a day for `email` (hashed: no address is stored)."""
    hashed, config = digest(email), current_app.config
    key, lock = f"{kind}:addr:{hashed}", f"addr:{hashed}"
    return (Limit(key + ":cooldown", 1, timedelta(minutes=config["ACCOUNT_MAIL_COOLDOWN_MINUTES"]), lock=lock),
            Limit(key + ":day", config["ACCOUNT_MAIL_PER_DAY"], timedelta(days=1), lock=lock))


def _decoy() -> User:
    """A stand-in account (never stored) so that an unknown address costs the same work as a known one."""
    return User(id=0, email="", name="", role=Role.STUDENT, password_hash="unset")


def _security_mail(template: str, to: str, context: dict, key: str) -> bool:
    """Queue one security email (coalesced by `key`); False when a cap or the anonymous ceiling held it back."""
    return not admit(template, [Letter(to, context, key)], purpose=Purpose.SECURITY).held_back


def _queue(user: User | None, template: str, to: str, context: dict, key: str) -> bool:
    """Queue the email for `user`; for no user, the same statements in a savepoint that is rolled back. False
    when it was held back (for no user: when it would have been)."""
    savepoint = db.session.begin_nested()
    queued = _security_mail(template, to, context, key)
    db.session.flush()
    if user is None:
        savepoint.rollback()
    else:
        savepoint.commit()
    return queued


def _limited(kind: str, email: str, account: sa.Select, send) -> bool:
    """Take the limits, then `send(user or None)` when they allow; False when the client address is over its
    limit or the mail was held back (the caller answers 429), True otherwise whatever happened. Commits."""
    client = client_limit()
    refused = take(client, *address_limits(kind, email))
    sent = True
    if refused is not client:
        user = db.session.scalar(account)
        if refused is None:
            sent = send(user)
    db.session.commit()  # also keeps the refusal counts, and ends the limiter's locks
    return refused is not client and sent


def request_password_link(email: str) -> bool:
    """Queue a set-password link if `email` has an account (not a deactivated one), within the limits."""

    def send(user: User | None) -> bool:
        shown = user or _decoy()
        return _queue(user, "password_reset", email, {"name": shown.name, "link": password_link(shown)},
               key=f"password:{shown.id}")

    return _limited(PASSWORD, email, sa.select(User).where(User.email == email, User.deactivated_at.is_(None)), send)


def verification_context(user: User, next_path: str | None = None) -> dict:
    """A roster student without a password gets a link that verifies and sets the password in one step."""
    roster = user.password_hash is None
    return {"name": user.name, "set_password": roster,
            "house": user.house.name if roster and user.house else "",
            "room": user.room.number if roster and user.room else "",
            "link": password_link(user, next_path) if roster else verification_link(user, next_path)}


def count_held_back_verification() -> None:
    """Count again a verification email that was held back in a savepoint since rolled back (the caps are still
    full and their locks held), so /dev/mail shows the refusal."""
    causes.admit_up_to(causes.of_request(), Purpose.SECURITY, 1, "verify_email")


def send_verification(user: User, next_path: str | None = None) -> bool:
    """Queue `user`'s verification email (a newer one replaces one still queued); False when held back."""
    return _security_mail("verify_email", user.email, verification_context(user, next_path), f"verify:{user.id}")


def request_verification(email: str) -> bool:
    """Queue a fresh verification link if `email` has an unverified student account, within the limits."""

    def send(user: User | None) -> bool:
        shown = user or _decoy()
        return _queue(user, "verify_email", email, verification_context(shown), key=f"verify:{shown.id}")

    waiting = sa.select(User).where(User.email == email, User.role == Role.STUDENT,
                                    User.email_verified_at.is_(None), User.deactivated_at.is_(None))
    return _limited(VERIFY, email, waiting, send)
