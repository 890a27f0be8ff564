"""Students' maintenance issues (built by the maintenance-issues issue)."""
from flask import render_template

from app.auth.access import student_required
from app.issues import bp


@bp.route("/")
@student_required
def index():
    return render_template("issues/index.html")
