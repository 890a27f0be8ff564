"""House admins' issue pages: the queue, CSV export, issue detail with the workflow, mail preferences."""
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.admin import labels, pending
from app.admin.forms import IssueUpdateForm, MailPreferenceForm
from app.admin.queue import (
    AGE_CHOICES,
    SORT_LABELS,
    STATUS_CHOICES,
    QueueFilters,
    csv_rows,
    is_old,
    page_of_issues,
    status_counts,
)
from app.auth.access import admin_required
from app.auth.permissions import may_manage_issue
from app.extensions import db
from app.issues import targets, workflow
from app.issues.assignment import staff_of_houses
from app.models.issues import (
    AdminMailPreference,
    Category,
    Issue,
    IssueStatus,
    NewIssueMail,
    Urgency,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
for _name, _function in labels.TEMPLATE_GLOBALS.items():  # globals: the admin pages' macros (imported) use them
    bp.add_app_template_global(_function, _name)


def _queue_filters(staff=None) -> QueueFilters:
    house_ids = sorted(current_user.admin_house_ids)
    staff = staff_of_houses(house_ids) if staff is None else staff
    return QueueFilters.from_args(request.args, house_ids, {user.id for user in staff})


@bp.route("/")
@admin_required
def index():
    staff = staff_of_houses(current_user.admin_house_ids)
    filters = _queue_filters(staff)
    issues, has_next = page_of_issues(filters)
    return render_template(
        "admin/index.html", issues=issues, has_next=has_next, filters=filters, counts=status_counts(filters),
        houses=current_user.admin_houses, staff=staff, categories=list(Category), urgencies=list(Urgency),
        status_choices=STATUS_CHOICES, age_choices=AGE_CHOICES, sort_labels=SORT_LABELS,
        pending=pending.listing(current_user.admin_houses))


@bp.route("/issues.csv")
@admin_required
def export_csv():
    filters = _queue_filters()
    response = Response(stream_with_context(csv_rows(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="issues-{date.today().isoformat()}.csv"'
    return response


def _administered_issue(issue_id: int) -> Issue:
    issue = db.session.get(Issue, issue_id, options=[  # what the page shows of it, in the same query
        joinedload(Issue.room), joinedload(Issue.common_area), joinedload(Issue.reporter), joinedload(Issue.assignee)])
    if issue is None or not may_manage_issue(current_user, issue):
        abort(404, _("There is no such issue in your houses."))
    return issue


@bp.route("/issues/<id:issue_id>", methods=["GET", "POST"])
@admin_required
def issue_detail(issue_id: int):
    issue = _administered_issue(issue_id)
    form = IssueUpdateForm() if request.method == "POST" else IssueUpdateForm.for_issue(issue)
    if form.validate_on_submit():
        try:
            message = workflow.admin_update(issue, current_user, IssueStatus(form.status.data),
                                            form.comment.data, public=form.visibility.data == "public",
                                            hold_reason=form.hold_reason_value, hold_detail=form.hold_detail.data)
        except workflow.WorkflowError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.issue_detail", issue_id=issue_id))  # not issue.id: read again after commit
    return render_issue(issue, 400 if form.is_submitted() else 200, form=form)


def render_issue(issue: Issue, status: int = 200, **forms):
    """The admin issue page with its forms (those not given start from the issue)."""
    from app.admin.triage import AssignForm, TriageForm
    from app.issues.visit_forms import booking_context

    forms.setdefault("form", IssueUpdateForm.for_issue(issue))
    forms.setdefault("assign_form", AssignForm.for_issue(issue))
    forms.setdefault("triage_form", TriageForm.for_issue(issue))
    forms.update(booking_context(issue, forms.pop("visit_form", None), forms.pop("cancel_form", None)))
    return render_template("admin/issue.html", issue=issue, allowed=workflow.TRANSITIONS[issue.status],
                           is_old=is_old, standing=targets.standing, **forms), status


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    preference = db.session.get(AdminMailPreference, current_user.id)
    current = preference.new_issues if preference else NewIssueMail.EACH
    form = MailPreferenceForm(data=None if request.method == "POST" else {"new_issues": current.value})
    if form.validate_on_submit():
        if preference is None:
            preference = AdminMailPreference(user_id=current_user.id)
            db.session.add(preference)
        preference.new_issues = NewIssueMail(form.new_issues.data)
        db.session.commit()
        flash(_("Your email preference was saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), 400 if form.is_submitted() else 200
