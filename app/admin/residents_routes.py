"""/admin/residents: a house admin's students (list, add, rename, move with history) and the roster upload
with its preview (added to admin's bp)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from app.admin import residents, roster_upload
from app.admin.accounts import PER_PAGE
from app.admin.resident_forms import AddResidentForm, MoveForm, NameForm, RosterApplyForm, RosterUploadForm
from app.admin.routes import bp
from app.auth.access import admin_required, administered_house
from app.auth.residence import history
from app.converters import whole_number
from app.delivery_estimate import estimate_text
from app.extensions import db
from app.languages import NAMES
from app.models.accounts import User


def _posted():
    return request.form if request.method == "POST" else None


@bp.route("/residents")
@admin_required
def residents_page():
    q = request.args.get("q", "").strip()[:100]
    slug = request.args.get("house", "")
    house = administered_house(slug) if slug else None
    users, total, page = residents.page_of_residents(current_user, q, house,
                                                     whole_number(request.args.get("page", "1"), 10_000) or 1)
    return render_template("admin/residents.html", users=users, total=total, page=page, per_page=PER_PAGE, q=q,
                           house=house, houses=current_user.admin_houses)


@bp.route("/residents/new", methods=["GET", "POST"])
@admin_required
def add_resident():
    form = AddResidentForm.for_admin(current_user, formdata=_posted())
    status = 200
    if form.validate_on_submit():
        try:
            user = residents.add_resident(current_user, form.name.data, form.email.data, form.room_obj.id,
                                          form.shared.data)
        except residents.ResidentError as exc:
            form.email.errors = [str(exc)]
            status = 409
        except residents.RoomOccupied as occupied:
            form.shared.errors = [occupied.message]
            status = 409
        else:
            flash(_("%(name)s was added to %(house)s, room %(room)s; they were emailed a link to choose their "
                    "password.", name=user.name, house=user.house.name, room=user.room.number), "success")
            return redirect(url_for("admin.resident_page", user_id=user.id))
    elif form.is_submitted():
        status = 400
    return render_template("admin/resident_new.html", form=form), status


def _student(user_id: int) -> User:
    user = residents.managed_student(current_user, user_id)
    if user is None:
        abort(404, _("There is no such student in your houses."))
    return user


def _student_page(user: User, name_form=None, move_form=None, status: int = 200):
    move_form = move_form or MoveForm.for_admin(current_user, house=user.house.slug if user.house else "")
    return render_template("admin/resident.html", user=user, name_form=name_form or NameForm(data={"name": user.name}),
                           move_form=move_form, moves=history(user),
                           occupants=residents.occupants(user.room_id, except_id=user.id) if user.room_id else []
                           ), status


@bp.route("/residents/<id:user_id>")
@admin_required
def resident_page(user_id: int):
    return _student_page(_student(user_id))


@bp.route("/residents/<id:user_id>/name", methods=["POST"])
@admin_required
def rename_resident(user_id: int):
    user = _student(user_id)
    form = NameForm()
    if not form.validate():
        return _student_page(user, name_form=form, status=400)
    user.name = form.name.data
    db.session.commit()
    flash(_("The name is now %(name)s.", name=user.name), "success")
    return redirect(url_for("admin.resident_page", user_id=user.id))


@bp.route("/residents/<id:user_id>/move", methods=["POST"])
@admin_required
def move_resident(user_id: int):
    user = _student(user_id)
    form = MoveForm.for_admin(current_user, formdata=request.form)
    if not form.validate():
        return _student_page(user, move_form=form, status=400)
    try:
        moved = residents.move_resident(current_user, user.id, form.room_obj.id, form.shared.data, form.reason.data)
    except residents.ResidentError as exc:
        form.room.errors = [str(exc)]
    except residents.RoomOccupied as occupied:
        form.shared.errors = [occupied.message]
    else:
        flash(_("%(name)s moved to %(house)s, room %(room)s.", name=moved.name, house=moved.house.name,
                room=moved.room.number), "success")
        return redirect(url_for("admin.resident_page", user_id=moved.id))
    return _student_page(_student(user_id), move_form=form, status=409)


def _roster_page(form, status: int = 200, error: str | None = None):
    if error:
        form.file.errors = [error]
    return render_template("admin/residents_roster.html", form=form), status


@bp.route("/residents/roster", methods=["GET", "POST"])
@admin_required
def roster_upload_page():
    form = RosterUploadForm.for_admin(current_user, formdata=CombinedMultiDict((request.files, request.form))
                                      if request.method == "POST" else None)
    if not form.validate_on_submit():
        return _roster_page(form, 400 if form.is_submitted() else 200)
    try:
        text = roster_upload.read_upload(form.file.data.stream)
    except roster_upload.UploadError as exc:
        return _roster_page(form, 400, str(exc))
    return _preview(roster_upload.preview(text, form.houses[form.house.data], current_user))


def _preview(preview, changed: bool = False, status: int = 200):
    return render_template("admin/residents_roster_preview.html", plan=preview.plan, changed=changed,
                           form=RosterApplyForm(formdata=None, data={"plan": preview.token}),
                           unconfirmed_shared=preview.unconfirmed_shared,
                           estimate=estimate_text(len(preview.plan.new)), language_names=NAMES,
                           ), 400 if preview.plan.errors else status


def _stored_message(outcome, retired: bool) -> str:
    """What applying the roster did: whole sentences (the counts, then the invitations if any)."""
    if retired:
        message = _("Roster stored: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, %(retired)d "
                    "retired.", created=outcome.created, updated=outcome.updated, unchanged=outcome.unchanged,
                    retired=outcome.retired)
    else:
        message = _("Roster stored: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                    created=outcome.created, updated=outcome.updated, unchanged=outcome.unchanged)
    if outcome.created:
        message += " " + _("The new students were emailed a link to choose their password.")
    return message


@bp.route("/residents/roster/apply", methods=["POST"])
@admin_required
def apply_roster():
    form = RosterApplyForm()
    if not form.validate():
        abort(400, _("The form expired or was not sent whole; upload the roster again."))
    try:
        house, outcome = roster_upload.apply(form.plan.data, current_user, form.retire.data, form.shared.data)
    except roster_upload.UploadError as exc:
        abort(400, str(exc))
    if isinstance(outcome, roster_upload.Preview):
        return _preview(outcome, changed=not outcome.unconfirmed_shared, status=409)
    flash(_stored_message(outcome, form.retire.data), "success")
    return redirect(url_for("admin.residents_page", house=house.slug))
