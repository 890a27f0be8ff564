"""Account logic kept out of the views: authentication and set-password links (a reset link lives 24 hours, an
invitation INVITE_LINK_DAYS days: the token says which, under its signature)."""
import hashlib
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth import guessing
from app.auth.session import end_sessions
from app.extensions import db
from app.models.accounts import User, hash_password, password_matches
from app.models.base import utcnow

TOKEN_MAX_AGE = timedelta(hours=24)  # a reset link (forgot password, verification of a roster address)
# Checked when there is no such account, so an unknown address costs the same hash time as a known one.
DUMMY_HASH = hash_password("no account has this password")


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The account when `password` is its password (whatever its standing: the view explains a refusal)."""
    user = find_user(email)
    if user is None or not user.password_hash:
        password_matches(DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def link_stamp(user: User) -> str:
    """Changes whenever the password or the address does: a used link, or one sent to an address the account no
    longer has, stops working. A digest: neither travels in the link."""
    return hashlib.sha256(f"{user.password_stamp}|{user.email.lower()}".encode()).hexdigest()[:16]


def make_password_token(user: User, invite: bool = False) -> str:
    data = {"uid": user.id, "fp": link_stamp(user)}
    return _serializer().dumps({**data, "inv": 1} if invite else data)


def password_link(user: User, next_path: str | None = None, invite: bool = False) -> str:
    """Absolute one-time link where `user` sets a password (valid 24 hours; an invitation's INVITE_LINK_DAYS)."""
    path = url_for("auth.reset_password", token=make_password_token(user, invite), next=next_path)
    return current_app.config["BASE_URL"] + path


def sign_in_link(next_path: str | None = None) -> str:
    """Absolute link to the login page, where the university sign-in starts."""
    return current_app.config["BASE_URL"] + url_for("auth.login", next=next_path)


def invite_link(user: User) -> str:
    """The link a new user (admin or roster added student, staff, house admin) uses to get in: their
    set-password link, or with AUTH_PASSWORDS off the login page (they sign in with their university account)."""
    if not current_app.config["AUTH_PASSWORDS"]:
        return sign_in_link()
    return password_link(user, invite=True)


def lifetime(data) -> timedelta:
    return timedelta(days=current_app.config["INVITE_LINK_DAYS"]) if data.get("inv") == 1 else TOKEN_MAX_AGE


def user_from_token(token: str, now: datetime | None = None) -> User | None:
    """The user a valid, unused, unexpired token belongs to (never a deactivated account), else None. `now`
    (aware) is for tests."""
    try:
        data, signed_at = _serializer().loads(token, return_timestamp=True)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or (now or datetime.now(timezone.utc)) - signed_at > lifetime(data):
        return None
    uid = data.get("uid")
    user = db.session.get(User, uid) if isinstance(uid, int) else None
    if user is None or user.is_deactivated or data.get("fp") != link_stamp(user):
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
