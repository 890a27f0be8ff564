"""Home page and /healthz."""
import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from app.emailer.health import mail_health
from app.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/healthz")
def healthz():
    """Machine-readable status: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        body = {"status": "ok", "database": "ok", "mail": mail_health()}
        code = 200
    except Exception as exc:  # noqa: BLE001 - report, don't crash, when the database is away
        db.session.rollback()
        body = {"status": "error", "database": f"error: {exc.__class__.__name__}"}
        code = 503
    return jsonify(body), code
