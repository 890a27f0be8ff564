"""House admins' decisions on students waiting for approval (listed on /admin/; added to admin's bp)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import pending
from app.admin.forms import ApproveForm
from app.admin.routes import bp
from app.auth.access import admin_required
from app.auth.permissions import may_manage_student
from app.extensions import db
from app.issues.forms import ButtonForm
from app.models.accounts import User


def _waiting_student(user_id: int) -> User:
    student = db.session.get(User, user_id)
    if student is None or not (student.awaiting_approval and student.is_verified and not student.is_deactivated) \
            or not may_manage_student(current_user, student):
        abort(404, _("No student with that id is waiting for approval in your houses."))
    return student


def _already_decided():
    flash(_("Another admin decided on this registration first (or the account was deactivated)."), "info")
    return redirect(url_for("admin.index") + "#pending")


@bp.route("/students/<id:user_id>/approve", methods=["GET", "POST"])
@admin_required
def approve_student(user_id: int):
    student = _waiting_student(user_id)
    form = ApproveForm.for_student(student, current_user.admin_houses)
    status = 200
    if form.validate_on_submit():
        try:
            approved = pending.approve(student.id, form.room_obj.id, form.shared.data)
        except pending.RoomTaken as taken:
            names = ", ".join(holder.name for holder in taken.holders)
            form.shared.errors = [_("Room %(room)s is already held by %(names)s. Tick “shared room” if they share "
                                    "it, or choose another room.", room=form.room.data, names=names)]
            status = 409
        except pending.AlreadyDecided:
            return _already_decided()
        else:
            flash(_("%(name)s is approved: %(house)s, room %(room)s. They get an email.", name=approved.name,
                    house=approved.house.name, room=approved.room.number), "success")
            return redirect(url_for("admin.index") + "#pending")
    elif form.is_submitted():
        status = 400
    holders = pending.room_holders([student.room_id], except_id=student.id) if student.room_id else {}
    return render_template("admin/approve.html", student=student, form=form,
                           holders=holders.get(student.room_id, [])), status


@bp.route("/students/<id:user_id>/reject", methods=["POST"])
@admin_required
def reject_student(user_id: int):
    student = _waiting_student(user_id)
    if not ButtonForm().validate():
        abort(400, _("The form expired; reload the page and try again."))
    try:
        name = pending.reject(student.id)
    except pending.AlreadyDecided:
        return _already_decided()
    flash(_("The registration of %(name)s was rejected and removed. They get an email.", name=name), "success")
    return redirect(url_for("admin.index") + "#pending")
