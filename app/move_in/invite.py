"""Invite links in reminders for students who have never set a password.

A reminder may wait days for the mail budget, longer than a set-password link lives (24 hours). So the
email carries a signed invite (valid MOVE_IN_INVITE_DAYS, default 30, and only while the account still has
no password); opening it makes a fresh `password_link` that leads on to the form. Signing is a bare HMAC so
that a batch of thousands costs next to nothing inside the request.
"""
import base64
import hashlib
import hmac
from datetime import datetime, timezone

from flask import current_app, url_for

EPOCH = datetime(1970, 1, 1)


def _today() -> int:
    return (datetime.now(timezone.utc).replace(tzinfo=None) - EPOCH).days


def _signature(user_id: int, day: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"move-in-invite|{user_id}|{day}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


class InviteLinks:
    """Builds many invite links for one request (the URL prefix is worked out once)."""

    def __init__(self):
        self.prefix = current_app.config["BASE_URL"] + url_for("move_in.welcome", token="-")[:-1]
        self.day = _today()

    def __call__(self, user_id: int) -> str:
        return f"{self.prefix}{user_id}.{self.day}.{_signature(user_id, self.day)}"


def invited_user_id(token: str) -> int | None:
    """The user id of a genuine, unexpired invite token, else None."""
    try:
        user_part, day_part, signature = token.split(".")
        user_id, day = int(user_part), int(day_part)
    except ValueError:
        return None
    if not hmac.compare_digest(signature.encode(), _signature(user_id, day).encode()):  # bytes: any text compares
        return None
    if not 0 <= _today() - day <= int(current_app.config["MOVE_IN_INVITE_DAYS"]):
        return None
    return user_id
