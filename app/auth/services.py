"""Account logic kept out of the views: authentication and set-password links."""
import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import guessing
from app.auth.session import end_sessions
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow

TOKEN_MAX_AGE = 24 * 3600
# Checked when there is no such account, so an unknown address costs the same hash time as a known one.
DUMMY_HASH = generate_password_hash("no account has this password")


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The account when `password` is its password (whatever its standing: the view explains a refusal)."""
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def make_password_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": user.password_stamp})  # a used link stops working


def password_link(user: User, next_path: str | None = None) -> str:
    """Absolute one-time link where `user` sets a password (valid 24 hours)."""
    path = url_for("auth.reset_password", token=make_password_token(user), next=next_path)
    return current_app.config["BASE_URL"] + path


def user_from_token(token: str) -> User | None:
    """The user a valid, unused, unexpired token belongs to (never a deactivated account), else None."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    user = db.session.get(User, uid) if isinstance(uid, int) else None
    if user is None or user.is_deactivated or data.get("fp") != user.password_stamp:
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set the password from an emailed link: that also proves the address is theirs. Every session of the
    account ends (the caller commits)."""
    user.set_password(password)
    end_sessions(user.id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    guessing.clear_account(user.email)
