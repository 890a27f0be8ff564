"""Server-side login sessions behind Flask-Login.

The signed cookie carries a random token; the `login_sessions` table keeps its SHA-256 with the user, when it
started and was last used, and from which address and browser. A session ends when its row goes: logout,
"log out everywhere", deactivation, a new password, SESSION_IDLE_DAYS without use, or SESSION_MAX_DAYS after
it started. A cookie copied before any of these no longer signs anyone in.
"""
import functools
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_babel import gettext
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from app import languages
from app.extensions import db, login_manager
from app.form_messages import N_
from app.models.accounts import LoginSession, SignInMethod, User
from app.models.base import utcnow

TOUCH_EVERY = timedelta(minutes=5)  # last-seen is written at most this often per session
USER_ID = "uid"  # the flask session key that keeps the signed-in user's id beside the token
MOST_PER_USER = 50  # older sessions of one account end when a new one starts beyond this


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to see that page.")
    login_manager.localize_callback = gettext  # flashed in the language of the page
    login_manager.login_message_category = "info"
    app.after_request(_record_use)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client() -> tuple[str, str]:
    """The request's client address and user agent, cut to their columns."""
    return (request.remote_addr or "unknown")[:45], request.headers.get("User-Agent", "")[:255]


def start_session(user: User, method: SignInMethod = SignInMethod.PASSWORD) -> None:
    """Sign `user` in on this browser with a new session record, noting how they signed in. Commits."""
    token = secrets.token_urlsafe(32)
    ip, agent = client()
    # the account's row first: parallel sign-ins of one account then trim its sessions one after another,
    # instead of deadlocking on each other's inserted rows (MariaDB 1213)
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    db.session.add(LoginSession(token_hash=token_hash(token), user_id=user.id, ip=ip, user_agent=agent,
                                method=method))
    _keep_newest(user.id)
    if user.language is None:  # a language chosen before signing in follows the account, and its emails
        user.language = languages.chosen_in_browser()
    db.session.commit()
    user.session_token = token
    login_user(user)
    session[USER_ID] = user.id  # for the error log, which must not query a failing database


def _keep_newest(user_id: int) -> None:
    newest = sa.select(LoginSession.id).where(LoginSession.user_id == user_id) \
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc()).limit(MOST_PER_USER)
    keep = [row for row in db.session.scalars(newest)]
    if len(keep) == MOST_PER_USER:
        db.session.execute(sa.delete(LoginSession).where(
            LoginSession.user_id == user_id, LoginSession.id.not_in(keep)))


def current_token() -> str | None:
    return session.get("_user_id")


def is_current(record: LoginSession) -> bool:
    token = current_token()
    return token is not None and secrets.compare_digest(record.token_hash, token_hash(token))


def end_current_session() -> None:
    """Log this browser out and delete its record. Commits."""
    token = current_token()
    if token:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
        db.session.commit()
    logout_user()
    session.pop(USER_ID, None)


def end_sessions(user_id: int, keep_current: bool = False) -> int:
    """Delete every session of the user (but this browser's, if `keep_current`); the caller commits."""
    condition = LoginSession.user_id == user_id
    token = current_token() if keep_current else None
    if token:
        condition = sa.and_(condition, LoginSession.token_hash != token_hash(token))
    return db.session.execute(sa.delete(LoginSession).where(condition)).rowcount


def _alive(idle_since, started_since) -> sa.ColumnElement[bool]:
    """The sessions used since `idle_since` and started since `started_since` (times or bound parameters)."""
    return sa.and_(LoginSession.last_seen_at >= idle_since, LoginSession.created_at >= started_since)


def lifetimes(now: datetime) -> dict[str, datetime]:
    """A live session's cut-offs at `now`: last used since SESSION_IDLE_DAYS ago, started since SESSION_MAX_DAYS ago."""
    config = current_app.config
    return {"idle_since": now - timedelta(days=config["SESSION_IDLE_DAYS"]),
            "started_since": now - timedelta(days=config["SESSION_MAX_DAYS"])}


def expired(now: datetime) -> sa.ColumnElement[bool]:
    """The sessions past their idle or total lifetime."""
    return sa.not_(_alive(**lifetimes(now)))


@functools.cache
def _session_user() -> sa.Select:
    """The live session of a token hash with its user and what the layout shows of them (house, room): one
    statement, built once (building it per request cost more than running it)."""
    return (sa.select(LoginSession.id, LoginSession.last_seen_at, User)
            .join(User, User.id == LoginSession.user_id)
            .options(joinedload(User.house), joinedload(User.room))  # the layout's: no lazy loads after
            .where(LoginSession.token_hash == sa.bindparam("token_hash"),
                   _alive(sa.bindparam("idle_since"), sa.bindparam("started_since"))))


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of a live session with this token, if the account may still log in."""
    now = utcnow()
    row = db.session.execute(_session_user(), {"token_hash": token_hash(token), **lifetimes(now)}).first()
    if row is None or not row.User.is_active:
        session.pop(USER_ID, None)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        g.session_used = (row.id, now)
    row.User.session_token = token
    return row.User


def _record_use(response: Response) -> Response:
    """Write when and from where a session was last used, on its own short transaction after the view (so a
    read-only request never holds a row lock, and the view's own work is not committed by it)."""
    used = g.pop("session_used", None)
    if used is not None and response.status_code < 500:
        ip, agent = client()
        with db.engine.begin() as connection:
            connection.execute(sa.update(LoginSession).where(LoginSession.id == used[0])
                               .values(last_seen_at=used[1], ip=ip, user_agent=agent))
    return response
