"""Assigning an issue to staff and triage (category, urgency) from the admin issue page (added to admin's bp)."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.admin.routes import _administered_issue, bp, render_issue
from app.admin.triage import AssignForm, TriageError, TriageForm, retriage
from app.auth.access import admin_required
from app.converters import whole_number
from app.extensions import db
from app.issues.assignment import AssignmentError, assign
from app.models.issues import Category, Urgency


@bp.route("/issues/<id:issue_id>/assign", methods=["POST"])
@admin_required
def assign_issue(issue_id: int):
    issue = _administered_issue(issue_id)
    form = AssignForm.for_issue(issue, formdata=request.form)
    if form.validate():
        value = (form.assignee.data or "").strip()
        staff_id = whole_number(value) if value else None
        try:
            if value and staff_id is None:
                raise AssignmentError("Choose one of the listed staff members: nothing was changed.")
            message = assign(issue, current_user, staff_id)
        except AssignmentError as exc:
            db.session.rollback()
            form.assignee.errors = [str(exc)]
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.issue_detail", issue_id=issue.id))
    return render_issue(issue, 400, assign_form=form)


@bp.route("/issues/<id:issue_id>/triage", methods=["POST"])
@admin_required
def triage_issue(issue_id: int):
    issue = _administered_issue(issue_id)
    form = TriageForm.for_issue(issue, formdata=request.form)
    if form.validate():
        try:
            message = retriage(issue, current_user, Category(form.category.data), Urgency(form.urgency.data),
                               form.reason.data)
        except TriageError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.issue_detail", issue_id=issue.id))
    return render_issue(issue, 400, triage_form=form)
