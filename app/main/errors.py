"""One handler renders every HTTP error page; another answers 503 while the database is away.

Other unhandled exceptions are not caught here: Flask turns them into an InternalServerError after sending
got_request_exception, which the error logger records (app/errorlog/hook.py), leaving the reference code in g.
"""
import sqlalchemy as sa
from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

# What SQLAlchemy raises when the database cannot be reached or drops the connection (or, on SQLite, stays
# locked past the timeout): a passing outage, not a bug.
DATABASE_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError, sa.exc.TimeoutError)
RETRY_AFTER_SECONDS = 30
# Each error's name and, for an error raised without a message of ours, what the page says (werkzeug's own
# names and descriptions are English and speak of "the server" and "the browser").
NAMES = {
    400: _l("Bad Request"), 401: _l("Unauthorized"), 403: _l("Forbidden"), 404: _l("Not Found"),
    405: _l("Method Not Allowed"), 409: _l("Conflict"), 410: _l("Gone"), 413: _l("Request Entity Too Large"),
    429: _l("Too Many Requests"), 500: _l("Internal Server Error"), 503: _l("Service Unavailable"),
}
DESCRIPTIONS = {
    400: _l("That request could not be understood. Go back, reload the page and try again."),
    401: _l("Log in to see that page."),
    403: _l("Your account does not have access to this page."),
    405: _l("That page cannot be used this way. Go back and use its buttons."),
    409: _l("Someone changed this at the same time. Reload the page and try again."),
    410: _l("That page is gone for good."),
    413: _l("What you sent is too large."),
    429: _l("Too many requests came from your network in a short time. Wait a minute and try again."),
    503: _l("RINAIBRA is not available right now. Try again in a minute."),
}
CSRF_DESCRIPTION = _l("This form had expired (it was open for a long time, or in another browser session), so "
                      "nothing was saved. Go back, reload the page and send it again.")
PLAIN_UNAVAILABLE = ("<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1><p>The database "
                     "cannot be reached right now and nothing was saved. Please try again in a minute.</p>")


def database_unavailable(error: Exception) -> Response:
    """503 with Retry-After, built without the database: the page is rendered from the Jinja environment
    (no context processor asks who is signed in), with a plain fallback should even that fail."""
    current_app.logger.warning("database unavailable: %s: %s", type(error).__name__, str(error)[:200])
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        pass
    g._login_user = current_app.login_manager.anonymous_user()  # later hooks must not load the user again
    if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
        response = current_app.json.response({"error": "Service Unavailable", "message": "database unavailable"})
    else:
        try:
            body = current_app.jinja_env.get_template("errors/unavailable.html").render(
                retry_after=RETRY_AFTER_SECONDS)
        except Exception:  # noqa: BLE001 - a plain page rather than none
            body = PLAIN_UNAVAILABLE
        response = Response(body, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def close_session(_error: BaseException | None) -> None:
    """Request teardown: end the request's session without raising. When the connection died under it, the
    rollback in close() fails after the error handlers ran (a bare 500 from the server); the session's
    connections are then invalidated (dropped from the pool, never reused) and the session discarded, so the
    answer already made (the 503 page, or the page itself) goes out. Registered after Flask-SQLAlchemy, so it
    runs first and leaves that extension's own teardown nothing to do."""
    try:
        db.session.remove()
    except Exception as error:  # noqa: BLE001 - a dead connection, or worse: the answer is made already
        current_app.logger.warning("session teardown failed: %s: %s", type(error).__name__, str(error)[:200])
        try:
            db.session.invalidate()
        except Exception:  # noqa: BLE001 - nothing more to save
            pass
        db.session.registry.clear()


def init_error_handlers(app: Flask) -> None:
    app.teardown_appcontext(close_session)
    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, CSRFError):  # "The CSRF token is missing." means nothing to a student
            error.description = CSRF_DESCRIPTION
        elif error.description == type(error).description:  # werkzeug's own words: ours, in the page's language
            error.description = DESCRIPTIONS.get(error.code, error.description)
        reference = g.get("error_reference") if error.code == 500 else None
        if error.code and error.code >= 500:
            db.session.rollback()
        if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
            body = {"error": error.name, "message": str(error.description)}
            if reference:
                body["reference"] = reference
            return body, error.code
        return render_template("errors/error.html", error=error, error_name=NAMES.get(error.code, error.name),
                               error_reference=reference), error.code
