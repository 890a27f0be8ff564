"""Address verification links: signed, valid 24 hours, and single use (bound to a stamp that changes once the
address is verified, and when the password does)."""
import enum
import hashlib

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow

TOKEN_MAX_AGE = 24 * 3600


class LinkState(enum.Enum):
    VALID = "valid"
    USED = "used"        # the address is already verified
    INVALID = "invalid"  # expired, tampered with, replaced by a newer registration, or a deactivated account


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="verify-email")


def _stamp(user: User) -> str:
    seed = f"{user.email}|{user.password_stamp}|{user.email_verified_at}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "vs": _stamp(user)})


def verification_link(user: User, next_path: str | None = None) -> str:
    """Absolute link where `user` confirms their address (with the password they chose)."""
    return current_app.config["BASE_URL"] + url_for("auth.verify", token=make_token(user), next=next_path)


def check_token(token: str) -> tuple[User | None, LinkState]:
    """The account a link belongs to, and whether it can still be used."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None, LinkState.INVALID
    uid = data.get("uid") if isinstance(data, dict) else None
    user = db.session.get(User, uid) if isinstance(uid, int) else None
    if user is None or user.is_deactivated or user.password_hash is None:
        return None, LinkState.INVALID
    if user.is_verified:
        return None, LinkState.USED
    return (user, LinkState.VALID) if data.get("vs") == _stamp(user) else (None, LinkState.INVALID)


def mark_verified(user: User) -> None:
    user.email_verified_at = utcnow()
