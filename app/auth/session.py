"""Flask-Login wiring."""
from flask import Flask

from app.converters import whole_number
from app.extensions import db, login_manager
from app.models.accounts import User


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session id made by User.get_id, unless their password changed or their sessions were
    ended since, or the account is deactivated or unverified."""
    user_id, _, stamp = session_id.partition(".")
    number = whole_number(user_id)
    user = db.session.get(User, number) if number else None
    return user if user is not None and user.is_active and stamp == user.session_stamp else None
