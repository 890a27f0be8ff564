"""Booking and cancelling a visit to the student's room from the admin issue page (added to admin's bp)."""
from flask import flash, redirect, url_for
from flask_login import current_user

from app.admin.routes import _administered_issue, bp, render_issue
from app.auth.access import admin_required
from app.issues.visit_routes import submit_booking, submit_cancel


@bp.route("/issues/<id:issue_id>/visit", methods=["POST"])
@admin_required
def book_visit(issue_id: int):
    return _visit_step(issue_id, submit_booking, "visit_form")


@bp.route("/issues/<id:issue_id>/visit/cancel", methods=["POST"])
@admin_required
def cancel_visit(issue_id: int):
    return _visit_step(issue_id, submit_cancel, "cancel_form")


def _visit_step(issue_id: int, submit, form_name: str):
    """Book or cancel with `submit`; a refusal shows the page again with its form (`form_name`)."""
    issue = _administered_issue(issue_id)
    message, form = submit(issue, current_user)
    if message is None:
        return render_issue(issue, 400, **{form_name: form})
    flash(message, "success")
    return redirect(url_for("admin.issue_detail", issue_id=issue.id) + "#visit")
