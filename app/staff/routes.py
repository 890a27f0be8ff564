"""/jobs/: a staff member's open jobs and one job's page (note, in progress, resolved with photos)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import role_required
from app.extensions import db
from app.issues import workflow
from app.issues.forms import ButtonForm
from app.issues.labels import slot_label
from app.issues.visit_forms import booking_context
from app.issues.visit_routes import submit_booking, submit_cancel
from app.models.accounts import Role
from app.photos import MAX_PHOTO_BYTES, files_chosen
from app.staff import invitations, services
from app.staff.forms import JobUpdateForm

bp = Blueprint("staff", __name__, url_prefix="/jobs")
staff_required = role_required(Role.STAFF)


@bp.route("/")
@staff_required
def index():
    jobs = services.my_jobs(current_user)
    return render_template("staff/index.html", jobs=jobs, visits=services.visits_of(jobs), slot_label=slot_label,
                           invitations=invitations.pending_for(current_user), answer_form=ButtonForm())


@bp.route("/invitations/<id:invitation_id>", methods=["POST"])
@staff_required
def answer_invitation(invitation_id: int):
    """Accept or decline a house admin's invitation to join their house's staff."""
    if not ButtonForm().validate():
        abort(400, _("The form expired; reload the page and try again."))
    accepting = request.form.get("answer") == "accept"
    try:
        house = (invitations.accept if accepting else invitations.decline)(current_user, invitation_id)
    except invitations.InvitationError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(_("You joined the staff of %(house)s.", house=house.name) if accepting
              else _("You declined to join the staff of %(house)s.", house=house.name), "success")
    return redirect(url_for("staff.index"))


@bp.route("/<id:issue_id>", methods=["GET", "POST"])
@staff_required
def detail(issue_id: int):
    issue = services.job_for(issue_id, current_user)
    form = JobUpdateForm.for_issue(issue, submitted=request.method == "POST")
    if request.method == "POST":
        if form.validate():
            try:
                message = services.update_job(issue, current_user, form.new_status, form.note.data,
                                              form.clean_photos)
            except workflow.WorkflowError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(message, "success")
                return redirect(url_for("staff.index") if not issue.status.is_open
                                else url_for("staff.detail", issue_id=issue.id))
    status = 400 if request.method == "POST" else 200
    return _render(issue, form, status)


def _render(issue, form, status: int, visit_form=None, cancel_form=None):
    return render_template("staff/detail.html", issue=issue, form=form, photos_dropped=status == 400 and files_chosen(),
                           max_mb=MAX_PHOTO_BYTES // (1024 * 1024),
                           **booking_context(issue, visit_form, cancel_form)), status


@bp.route("/<id:issue_id>/visit", methods=["POST"])
@staff_required
def book_visit(issue_id: int):
    return _visit_step(issue_id, submit_booking, "visit_form")


@bp.route("/<id:issue_id>/visit/cancel", methods=["POST"])
@staff_required
def cancel_visit(issue_id: int):
    return _visit_step(issue_id, submit_cancel, "cancel_form")


def _visit_step(issue_id: int, submit, form_name: str):
    """Book or cancel with `submit`; a refusal shows the job page again with its form (`form_name`)."""
    issue = services.job_for(issue_id, current_user)
    message, form = submit(issue, current_user)
    if message is None:
        return _render(issue, JobUpdateForm.for_issue(issue), 400, **{form_name: form})
    flash(message, "success")
    return redirect(url_for("staff.detail", issue_id=issue.id) + "#visit")
