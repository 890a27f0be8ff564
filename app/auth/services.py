"""Account logic kept out of the views: the login throttle, authentication and set-password links."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models.accounts import LoginFailure, User
from app.models.base import utcnow

TOKEN_MAX_AGE = 24 * 3600


def too_many_failures(email: str, ip: str) -> bool:
    """True while this account and address pair has hit the failure limit inside the window."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    failures = db.session.scalar(
        sa.select(sa.func.count(LoginFailure.id)).where(
            LoginFailure.email == email, LoginFailure.ip == ip, LoginFailure.created_at > cutoff)
    )
    return failures >= current_app.config["LOGIN_THROTTLE_LIMIT"]


def note_failure(email: str, ip: str) -> None:
    cutoff = utcnow() - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.created_at < cutoff))
    db.session.add(LoginFailure(email=email, ip=ip))
    db.session.commit()


def clear_failures(email: str) -> None:
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The account when `password` is its password (whatever its standing: the view explains a refusal)."""
    user = find_user(email)
    return user if user is not None and user.check_password(password) else None


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
    """Set the password from an emailed link: that also proves the address is theirs."""
    user.set_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    clear_failures(user.email)
