"""Students' maintenance issues: list, report, detail with timeline, and the reporter's actions."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import localtime
from app.auth.access import approved_required, is_safe_next, student_required
from app.auth.permissions import is_subscribed, may_see_issue, may_see_issue_photo
from app.converters import whole_number
from app.extensions import db
from app.issues import filters, labels, services, tips, workflow
from app.issues.forms import (
    URGENT_HELP,
    ButtonForm,
    CommentForm,
    ConfirmForm,
    RateForm,
    ReopenForm,
    ReportForm,
    TipSeenForm,
)
from app.issues.visit_forms import availability_context
from app.models.issues import Issue, IssuePhoto, IssueStatus
from app.photos import MAX_PHOTO_BYTES, PHOTOS_NOT_SAVED, StorageError, files_chosen, photo_response

bp = Blueprint("issues", __name__, url_prefix="/issues")
bp.add_app_template_filter(filters.age, "age")
bp.add_app_template_filter(localtime.when, "when")
bp.add_app_template_filter(localtime.time_tag, "local_time")
labels.register(bp)

PREFILL_FIELDS = ("category", "location", "title", "description")


def _own_house():
    if current_user.house is None:
        abort(403, _("Your account is not linked to a house yet; ask your house admin."))
    return current_user.house


def _prefill(form: ReportForm) -> None:
    """Fill the report form from query arguments (links from the QR page or the move-in checklist)."""
    for name in PREFILL_FIELDS:
        value = request.args.get(name, "").strip()
        field = getattr(form, name)
        if not value:
            continue
        if hasattr(field, "choices") and value not in {choice.value for choice in field.choices}:
            continue
        field.data = value[: (field.render_kw or {}).get("maxlength", 5000)]


@bp.route("/")
@student_required
def index():
    before = request.args.get("before")
    cursor = whole_number(before) if before is not None else None
    if before is not None and cursor is None:
        abort(404, _("There is no such page of your issues."))
    issues, older = services.my_issues(current_user, cursor)
    return render_template("issues/index.html", issues=issues, older=older, first_page=cursor is None)


@bp.route("/new", methods=["GET", "POST"])
@student_required
def new():
    form = ReportForm(house=_own_house())
    if not form.is_submitted():
        _prefill(form)
        form.start.data = tips.start_report(current_user)
        db.session.commit()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        refused = services.student_limit_refused(current_user, "report")
        if refused:
            form.form_errors.append(refused)
            status = 429
        else:
            try:
                issue, told = services.report_issue(current_user, form.data, form.clean_photos)
            except services.LocationError as exc:
                form.location.errors.append(str(exc))
            except StorageError:
                form.form_errors.append(PHOTOS_NOT_SAVED)
                status = 503
            else:
                # Its id from the identity map and its urgency from the form: the committed issue is not read again
                issue_id, urgent = sa.inspect(issue).identity[0], form.data["urgency"] == "urgent"
                tips.mark_reported(current_user, form.start.data, issue)
                db.session.commit()
                flash(_("Thank you: your issue was reported. You will get an email when it moves."), "success")
                if urgent:
                    flash(services.urgent_told_message(told), "success" if told else "warning")
                return redirect(url_for("issues.detail", issue_id=issue_id))
    photos_dropped = form.is_submitted() and files_chosen()
    return render_template("issues/new.html", form=form, urgent_help=URGENT_HELP, photos_dropped=photos_dropped,
                           max_mb=MAX_PHOTO_BYTES // (1024 * 1024), tips=tips.all_tips(),
                           tip_form=TipSeenForm(formdata=None)), status


@bp.route("/new/tip-seen", methods=["POST"])
@student_required
def tip_seen():
    """The report form's script says which category was chosen (and so which tip was shown): 204."""
    form = TipSeenForm()
    if not form.validate():
        abort(400, _("The form expired or the category is not one of ours."))
    if not tips.seen_allowed(current_user):
        db.session.commit()  # the refusal is counted
        abort(429, _("Too many requests; the report form still works."))
    tips.record_choice(current_user, form.start.data, form.category.data)
    db.session.commit()
    return "", 204


def _detail(issue, status: int = 200, availability=None, **forms):
    """The issue page; only the forms this viewer is shown are built (the reporter needs no "me too" and is
    not asked whether they follow their own issue)."""
    is_reporter, can_reopen = issue.reporter_id == current_user.id, workflow.within_reopen_window(issue)
    subscribed = not is_reporter and is_subscribed(issue.id, current_user.id)
    if not is_reporter:
        forms.setdefault("button_form", ButtonForm(formdata=None))
    if is_reporter or subscribed:
        forms.setdefault("comment_form", CommentForm(formdata=None))
    if is_reporter and can_reopen and issue.status in (IssueStatus.RESOLVED, IssueStatus.WONT_FIX):
        forms.setdefault("reopen_form", ReopenForm(formdata=None))  # the page shows these only then
        forms.setdefault("rate_form", RateForm(formdata=None, data={"rating": str(issue.rating or "")}))
        forms.setdefault("confirm_form", ConfirmForm(formdata=None))
    return render_template(
        "issues/detail.html", issue=issue, is_reporter=is_reporter, subscribed=subscribed, can_reopen=can_reopen,
        **availability_context(issue, is_reporter, *(availability or ())), **forms), status


@bp.route("/<id:issue_id>")
@student_required
def detail(issue_id: int):
    return _detail(services.issue_for(issue_id, current_user))


def _reporter_issue(issue_id: int):
    issue = services.issue_for(issue_id, current_user)
    if issue.reporter_id != current_user.id:
        abort(403, _("Only the student who reported this issue can do that."))
    return issue


@bp.route("/<id:issue_id>/comment", methods=["POST"])
@student_required
def comment(issue_id: int):
    issue = services.issue_for(issue_id, current_user)
    if issue.reporter_id != current_user.id and not is_subscribed(issue.id, current_user.id):
        abort(403, _("Follow this issue (“me too”) to comment on it."))
    form = CommentForm()
    if not form.validate():
        return _detail(issue, 400, comment_form=form)
    if refused := services.student_limit_refused(current_user, "comment"):
        db.session.commit()  # the refusal is counted
        form.form_errors.append(refused)
        return _detail(issue, 429, comment_form=form)
    workflow.student_comment(issue, current_user, form.body.data)
    db.session.commit()
    flash(_("Comment added."), "success")
    return redirect(url_for("issues.detail", issue_id=issue.id) + "#timeline")


def _reporter_step(issue_id: int, form, form_name: str, step, message: str, values=lambda form: ()):
    """Validate `form`, then run the workflow `step` for the reporter; re-render with 400 when refused."""
    issue = _reporter_issue(issue_id)
    if not form.validate():
        return _detail(issue, 400, **{form_name: form})
    try:
        step(issue, current_user, *values(form))
    except workflow.WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _detail(issue, 400)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("issues.detail", issue_id=issue.id))


@bp.route("/<id:issue_id>/confirm", methods=["POST"])
@student_required
def confirm(issue_id: int):
    return _reporter_step(issue_id, ConfirmForm(), "confirm_form", workflow.confirm_and_rate,
                          _("Thanks for confirming the fix."),
                          lambda form: (int(form.rating.data) if form.rating.data else None,))


@bp.route("/<id:issue_id>/reopen", methods=["POST"])
@student_required
def reopen(issue_id: int):
    return _reporter_step(issue_id, ReopenForm(), "reopen_form", workflow.reopen,
                          _("The issue was reopened; the house admin will look at it again."),
                          lambda form: (form.reason.data,))


@bp.route("/<id:issue_id>/rate", methods=["POST"])
@student_required
def rate(issue_id: int):
    return _reporter_step(issue_id, RateForm(), "rate_form", workflow.rate, _("Thanks for rating the repair."),
                          lambda form: (int(form.rating.data),))


@bp.route("/<id:issue_id>/me-too", methods=["POST"])
@student_required
def me_too(issue_id: int):
    issue = services.issue_for(issue_id, current_user)
    if not ButtonForm().validate():
        abort(400, _("The form expired; please try again."))
    if refused := services.student_limit_refused(current_user, "me-too"):
        db.session.commit()  # the refusal is counted
        abort(429, refused)
    follow = {"1": True, "0": False}.get(request.form.get("follow", ""))
    now_subscribed = services.toggle_me_too(issue, current_user, follow)
    try:
        db.session.commit()
    except IntegrityError:  # a double tap: the first request already subscribed them
        db.session.rollback()
        now_subscribed = True
    flash(_("You will get an email when this issue moves.") if now_subscribed
          else _("You will no longer get emails about this issue."), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("issues.detail", issue_id=issue.id))


@bp.route("/<id:issue_id>/photos/<id:photo_id>")
@approved_required
def photo(issue_id: int, photo_id: int):
    """A photo of an issue, for those who may see the issue (students approved, admins, staff)."""
    found = db.session.execute(  # the issue and its photo in one statement
        sa.select(Issue, IssuePhoto).outerjoin(IssuePhoto, sa.and_(IssuePhoto.id == photo_id,
                                                                   IssuePhoto.issue_id == Issue.id))
        .where(Issue.id == issue_id)).first()
    if found is None or not may_see_issue(current_user, found.Issue):
        abort(404, _("There is no such issue, or it is not yours to see."))  # as services.issue_for
    issue, picture = found
    if picture is None or not may_see_issue_photo(current_user, picture, issue):
        abort(404, _("There is no such photo."))
    return photo_response(picture.key, picture.mime)


@bp.errorhandler(413)
def too_large(error):
    return render_template("issues/too_large.html", max_mb=MAX_PHOTO_BYTES // (1024 * 1024)), 413
