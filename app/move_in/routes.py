"""The student's move-in form: draft, come back, submit once; then read-only. Photos behind a guarded view."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import student_required
from app.auth.permissions import may_see_move_in_photo
from app.auth.services import password_link
from app.converters import whole_number
from app.extensions import db
from app.models.accounts import User
from app.models.move_in import MoveInAnswer, MoveInForm, MoveInPhoto
from app.move_in import invite, services
from app.move_in.checklist import academic_year, checklist_for, terms_for, year_label
from app.move_in.forms import build_form, remap_answers
from app.photos import PHOTOS_NOT_SAVED, StorageError, files_chosen, photo_response

bp = Blueprint("move_in", __name__, url_prefix="/move-in")


@bp.app_template_global("move_in_issue_link")
def move_in_issue_link(answer: MoveInAnswer) -> str:
    return services.issue_link(answer)


@bp.route("/", methods=["GET", "POST"])
@student_required
def form():
    if current_user.house_id is None:
        abort(404, _("Your account is not linked to a house, so there is no move-in form for you."))
    year = academic_year()
    saved = services.form_for(current_user.id, year)
    if saved is not None and saved.is_submitted:
        if request.method == "POST":
            flash(_("You have already submitted this year's form; it can no longer be changed."), "warning")
        return render_template("move_in/view.html", saved=saved, year=year_label(year), owner=current_user,
                               as_student=True), 409 if request.method == "POST" else 200
    labels, terms = checklist_for(current_user.house_id), terms_for(current_user.house_id)
    if request.method == "POST":
        seen_labels, seen_terms = request.form.getlist("seen_item"), request.form.getlist("seen_term")
        if (seen_labels or seen_terms) and (seen_labels, seen_terms) != (labels, terms):
            return _checklist_changed(labels, terms, saved, year, seen_labels, seen_terms)
        return _save(build_form(labels, terms, saved), saved, year)
    return _render_form(build_form(labels, terms, saved), saved, year)


def _checklist_changed(labels: list[str], terms: list[str], saved: MoveInForm | None, year: int,
                       seen_labels: list[str], seen_terms: list[str]):
    """The admin edited the checklist or terms while the student filled the form in: save nothing (answers
    would land on the wrong items), show the new list with the answers moved across by item text."""
    formdata = remap_answers(request.form, seen_labels, labels, seen_terms, terms)
    form = build_form(labels, terms, saved, formdata=formdata)
    form.form_errors.append(_("The house's checklist or terms changed while you were filling in the form, so "
                              "nothing was saved. Your answers are kept for the items that are still there: check "
                              "the list below and save again."))
    _note_lost_photos(form)
    return _render_form(form, saved, year, 409)


def _note_lost_photos(form) -> None:
    if files_chosen():
        form.form_errors.append(_("The photos you chose were not saved: choose them again."))


def _render_form(form, saved: MoveInForm | None, year: int, status: int = 200):
    answers = {a.item_label: a for a in saved.answers} if saved else {}
    return render_template("move_in/form.html", form=form, saved=saved, answers=answers,
                           year=year_label(year)), status


def _save(form, saved: MoveInForm | None, year: int):
    submit = request.form.get("action") == "submit"
    valid = form.validate_on_submit()
    photos = services.checked_photos(form)
    if valid and photos is not None and (not submit or form.check_complete()):
        removed = {n for v in request.form.getlist("remove_photo") if (n := whole_number(v)) is not None}
        try:
            services.save(current_user, year, form, photos, removed, submit)
        except services.AlreadySubmitted:
            flash(_("This form was already submitted; it can no longer be changed."), "warning")
            return redirect(url_for(".form"))
        except StorageError:
            form.form_errors.append(PHOTOS_NOT_SAVED)
            return _render_form(form, saved, year, 503)
        if submit:
            flash(_("Thank you: your move-in form is submitted. A copy is on its way to your email."), "success")
        else:
            flash(_("Your draft is saved. Come back any time to finish and submit it."), "success")
        return redirect(url_for(".form"))
    if not form.form_errors:
        form.form_errors.append(_("Some answers need your attention (marked below). Nothing was saved."))
    _note_lost_photos(form)
    return _render_form(form, saved, year, 400)


@bp.route("/photos/<id:photo_id>")
@login_required
def photo(photo_id: int):
    """A checklist photo, for the student who took it or (once submitted) an admin of the house."""
    row = db.session.execute(
        sa.select(MoveInPhoto, MoveInForm)
        .join(MoveInAnswer, MoveInPhoto.answer_id == MoveInAnswer.id)
        .join(MoveInForm, MoveInAnswer.form_id == MoveInForm.id)
        .where(MoveInPhoto.id == photo_id)).first()
    if row is None:
        abort(404, _("There is no such photo."))
    photo_row, owner_form = row
    if not may_see_move_in_photo(current_user, owner_form):
        abort(404, _("There is no such photo."))
    return photo_response(photo_row.key, photo_row.mime)


@bp.route("/welcome/<token>")
def welcome(token: str):
    """A reminder's invitation for a student who has never signed in: on to a fresh set-password link (setting
    it also confirms the address; with AUTH_PASSWORDS off, the university sign-in), then the form."""
    if not current_app.config["AUTH_PASSWORDS"]:
        return redirect(url_for("auth.login", next=url_for(".form")))
    user_id = invite.invited_user_id(token)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.is_student or user.is_deactivated:
        flash(_("That link has expired. Ask for a new one here and you can set your password."), "error")
        return redirect(url_for("auth.forgot_password"))
    if invite.signs_in(user):
        flash(_("You already have a password: log in to open your move-in form."), "info")
        return redirect(url_for("auth.login", next=url_for(".form")))
    return redirect(password_link(user, next_path=url_for(".form")))
