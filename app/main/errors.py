"""One handler renders every HTTP error page.

Unhandled exceptions are not caught here: Flask turns them into an InternalServerError after sending
got_request_exception, which the error logger records (app/errorlog/hook.py), leaving the reference code in g.
"""
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, CSRFError):  # "The CSRF token is missing." means nothing to a student
            error.description = ("This form had expired (it was open for a long time, or in another browser "
                                 "session), so nothing was saved. Go back, reload the page and send it again.")
        reference = g.get("error_reference") if error.code == 500 else None
        if error.code and error.code >= 500:
            db.session.rollback()
        if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
            body = {"error": error.name, "message": error.description}
            if reference:
                body["reference"] = reference
            return body, error.code
        return render_template("errors/error.html", error=error, error_reference=reference), error.code
