"""The reporter's times for a visit (added to issues' bp), and the booking and cancelling steps the staff and
admin pages share."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.auth.access import student_required
from app.extensions import db
from app.issues import services, visits
from app.issues.routes import _detail as render_detail
from app.issues.routes import bp
from app.issues.visit_forms import AvailabilityForm, BookVisitForm, CancelVisitForm


@bp.route("/<id:issue_id>/availability", methods=["POST"])
@student_required
def availability(issue_id: int):
    issue = services.issue_for(issue_id, current_user)
    if issue.reporter_id != current_user.id or not visits.is_room_issue(issue):
        abort(404, _("There is no such issue in your room."))
    form = AvailabilityForm()
    typed = form.typed(request.form)
    if not form.validate():
        return render_detail(issue, 400, availability=(form, typed, None))
    try:
        windows = visits.parse_slots(typed)
        message = visits.set_availability(issue, current_user, windows, form.enter_permission.data)
    except visits.SlotErrors as exc:
        db.session.rollback()
        form.form_errors.append(_("Nothing was saved: correct the times marked below."))
        return render_detail(issue, 400, availability=(form, typed, exc))
    except visits.VisitError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return render_detail(issue, 400, availability=(form, typed, None))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("issues.detail", issue_id=issue.id) + "#visit")


@bp.route("/<id:issue_id>/availability/<id:slot_id>/withdraw", methods=["POST"])
@student_required
def withdraw_time(issue_id: int, slot_id: int):
    issue = services.issue_for(issue_id, current_user)
    if issue.reporter_id != current_user.id or not visits.is_room_issue(issue):
        abort(404, _("There is no such issue in your room."))
    if not AvailabilityForm().validate():  # CSRF
        abort(400, _("The form was not valid; reload the page and try again."))
    try:
        message = visits.withdraw_slot(issue, current_user, slot_id)
    except visits.VisitError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("issues.detail", issue_id=issue.id) + "#visit")


def submit_cancel(issue, canceller) -> tuple[str | None, CancelVisitForm]:
    """Cancel the visit from the posted CancelVisitForm and commit: (message, form), message None when refused."""
    form = CancelVisitForm()
    if not form.validate():
        return None, form
    try:
        message, _emailed = visits.cancel(issue, canceller, form.reason.data)
    except visits.VisitError as exc:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(exc)]
        return None, form
    db.session.commit()
    return message, form


def submit_booking(issue, booker) -> tuple[str | None, BookVisitForm]:
    """Book the visit from the posted BookVisitForm and commit: (message, form), message None when refused
    (the form then carries the error)."""
    form = BookVisitForm()
    if not form.validate():
        return None, form
    try:
        window = visits.chosen_window(issue, form.slot.data, form.day.data, form.start.data, form.end.data)
        message, _emailed = visits.book(issue, booker, window)
    except visits.VisitError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return None, form
    try:
        db.session.commit()
    except IntegrityError:  # a parallel first booking won the race: it recorded and emailed the time
        db.session.rollback()
        message = _("The visit was just booked by someone else; see the time below.")
    return message, form
