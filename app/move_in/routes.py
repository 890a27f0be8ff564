"""The move-in form (built by the move-in issue)."""
from flask import render_template

from app.auth.access import student_required
from app.move_in import bp


@bp.route("/")
@student_required
def form():
    return render_template("move_in/form.html")
