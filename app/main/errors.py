"""One handler renders every HTTP error page."""
from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
            return {"error": error.name, "message": error.description}, error.code
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        db.session.rollback()
        wrapped = InternalServerError(original_exception=error)
        return render_template("errors/error.html", error=wrapped), 500
