"""The way in that a move-in reminder carries, for students on the roster who have never signed in.

A roster student without a confirmed account gets a reminder that is also their invitation: a signed link
(valid INVITE_LINK_DAYS, and only while the account still cannot sign in) that makes a fresh `password_link`
leading on to the form. `WayIn` is the one place that chooses the link, so that it can return the university's
sign-in link instead when passwords are off. Signing is a bare HMAC so that a batch of thousands costs next to
nothing inside the request.
"""
import base64
import hashlib
import hmac
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app, url_for

from app.models.accounts import User

EPOCH = datetime(1970, 1, 1)


def can_sign_in():
    """Condition on User: the account has a confirmed address and a password (it has signed in before)."""
    return sa.and_(User.email_verified_at.is_not(None), User.password_hash.is_not(None))


def signs_in(user: User) -> bool:
    """`can_sign_in` for one account."""
    return user.is_verified and user.password_hash is not None


def _today() -> int:
    return (datetime.now(timezone.utc).replace(tzinfo=None) - EPOCH).days


def _signature(user_id: int, day: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"move-in-invite|{user_id}|{day}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


class WayIn:
    """Chooses each reminder's link for one request (the URLs are worked out once)."""

    def __init__(self):
        base = current_app.config["BASE_URL"]
        self.form_url = base + url_for("move_in.form")
        self.passwords = current_app.config["AUTH_PASSWORDS"]
        if not self.passwords:  # everyone gets in through the university's sign-in, then on to the form
            self.form_url = base + url_for("auth.login", next=url_for("move_in.form"))
        self.invite_prefix = base + url_for("move_in.welcome", token="-")[:-1]
        self.day = _today()

    def __call__(self, user_id: int, signed_in: bool) -> tuple[str, bool]:
        """(link, whether it lets them choose a password): the form for a student who can sign in, else their
        invitation."""
        if signed_in or not self.passwords:
            return self.form_url, False
        return f"{self.invite_prefix}{user_id}.{self.day}.{_signature(user_id, self.day)}", True


def invited_user_id(token: str) -> int | None:
    """The user id of a genuine, unexpired invite token, else None."""
    try:
        user_part, day_part, signature = token.split(".")
        user_id, day = int(user_part), int(day_part)
    except ValueError:
        return None
    if not hmac.compare_digest(signature.encode(), _signature(user_id, day).encode()):  # bytes: any text compares
        return None
    if not 0 <= _today() - day <= int(current_app.config["INVITE_LINK_DAYS"]):
        return None
    return user_id
