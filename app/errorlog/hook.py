"""Record every unhandled exception of a request, with a scrubbed copy of the request (no user agent, no personal
form values: see scrub.py)."""
from flask import Flask, g, got_request_exception, has_request_context, request, session

from app.converters import whole_number
from app.errorlog.recorder import record
from app.errorlog.scrub import scrub_form, scrub_path
from app.extensions import db


def request_details() -> dict:
    """Method, path, user id and the scrubbed form and query string; never loads anything from the database."""
    details: dict = {"method": request.method, "path": scrub_path(request.path, request.view_args),
                     "endpoint": request.endpoint}
    user = g.get("_login_user")  # Flask-Login's loaded user, if any; no query on a failing session
    user_id = getattr(user, "id", None) if user is not None else session.get("uid")  # app/auth/session.py
    details["user_id"] = whole_number(str(user_id or ""))
    for name, getter in (("args", lambda: request.args), ("form", lambda: request.form)):
        try:
            details[name] = scrub_form(getter())
        except Exception as exc:  # noqa: BLE001 - a malformed body must not stop the record
            details[name] = f"(unreadable: {type(exc).__name__})"
    return details


def on_request_exception(sender: Flask, exception: BaseException, **_extra) -> None:
    """got_request_exception receiver: roll the request's session back, record, keep the reference."""
    try:
        db.session.rollback()  # the failed transaction is abandoned; SQLite has one writer
    except Exception:  # noqa: BLE001
        pass
    details = None
    if has_request_context():
        try:
            details = request_details()
        except Exception as exc:  # noqa: BLE001
            details = {"request": f"(unreadable: {type(exc).__name__})"}
    reference = record("web", exception, details)
    if has_request_context():
        g.error_reference = reference


def init_request_hook(app: Flask) -> None:
    got_request_exception.connect(on_request_exception, app, weak=False)
