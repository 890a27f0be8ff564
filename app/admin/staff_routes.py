"""/admin/staff: a house admin adds maintenance staff to their houses and removes them (added to admin's bp)."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import staff
from app.admin.routes import bp
from app.auth.access import admin_required, administered_house
from app.extensions import db
from app.issues.forms import ButtonForm
from app.models.accounts import User
from app.staff import invitations


def _page(form, status: int = 200):
    return render_template("admin/staff.html", form=form, listing=staff.staff_listing(current_user.admin_houses),
                           invited=invitations.pending_in(current_user.admin_houses)), status


@bp.route("/staff", methods=["GET", "POST"])
@admin_required
def staff_page():
    form = staff.StaffForm.for_admin(current_user, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        house = form.houses[form.house.data]
        try:
            user, added = staff.add_staff(current_user, form.name.data, form.email.data, house)
        except (staff.StaffError, sa.exc.IntegrityError) as exc:
            db.session.rollback()
            form.form_errors.append(str(exc) if isinstance(exc, staff.StaffError)
                                    else _("They were invited at the same moment by someone else; reload the page."))
        else:
            db.session.commit()
            flash(_added_message(user, house, added), "success")
            return redirect(url_for("admin.staff_page"))
    return _page(form, 400 if request.method == "POST" else 200)


def _added_message(user: User, house, added: staff.Added) -> str:
    if added is staff.Added.INVITED:
        return _("%(name)s already has a staff account used outside your houses, so they were invited to the staff "
                 "of %(house)s: they join when they accept on their “My jobs” page (they were emailed).",
                 name=user.name, house=house.name)
    if added is staff.Added.CREATED:
        return _("%(name)s was added to the staff of %(house)s; they were emailed a link to choose their password.",
                 name=user.name, house=house.name)
    return _("%(name)s was added to the staff of %(house)s.", name=user.name, house=house.name)


@bp.route("/staff/<id:user_id>/remove", methods=["POST"])
@admin_required
def remove_staff(user_id: int):
    house = administered_house(request.form.get("house"))
    user = db.session.get(User, user_id)
    if user is None or not user.works_in(house.id):
        abort(404, _("There is no such staff member in your houses."))
    if not ButtonForm().validate():
        abort(400, _("The form expired; reload the page and try again."))
    released = staff.remove_staff(current_user, user, house)
    db.session.commit()
    flash(ngettext("%(name)s was removed from the staff of %(house)s; %(num)d open job went back to the queue "
                   "unassigned.", "%(name)s was removed from the staff of %(house)s; %(num)d open jobs went back to "
                   "the queue unassigned.", released, name=user.name, house=house.name) if released else
          _("%(name)s was removed from the staff of %(house)s.", name=user.name, house=house.name), "success")
    return redirect(url_for("admin.staff_page"))
