"""Developer pages (built by the errorlog issue)."""
from flask import render_template

from app.auth.access import developer_required
from app.dev import bp


@bp.route("/errors")
@developer_required
def errors():
    return render_template("dev/errors.html")

