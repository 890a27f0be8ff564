"""House admins' move-in pages: completion per house, students, CSV, the reminder button, checklist editing."""
import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.routes import bp
from app.auth.access import admin_required, administered_house
from app.converters import whole_number
from app.delivery_estimate import estimate_text, held_up
from app.extensions import db
from app.localtime import when
from app.models.accounts import Role, User
from app.models.houses import House
from app.models.move_in import MoveInForm, ReminderBatch
from app.move_in import overview, reminders
from app.move_in.checklist import (
    ITEM_MAX_LENGTH,
    TERM_MAX_LENGTH,
    academic_year,
    as_stored,
    checklist_for,
    parse_lines,
    replace_lists,
    spoken,
    terms_for,
    year_label,
)
from app.move_in.forms import ChecklistForm, ReminderForm
from app.move_in.services import form_for

MIN_YEAR, MAX_YEAR = 2000, 9999


def cooldown_hours() -> str:
    """The reminder cooldown in hours, as a number is written in the admin's language."""
    return format_decimal(reminders.cooldown().total_seconds() / 3600)


def _student_filter_values() -> dict[str, str]:
    status = request.args.get("status", "")
    return {"status": status if status in overview.STATUSES else "",
            "q": request.args.get("q", "").strip()[:100]}


@bp.route("/move-in")
@admin_required
def move_in():
    houses = current_user.admin_houses
    year = academic_year()
    selected = administered_house(request.args.get("house")) if request.args.get("house") else \
        (houses[0] if houses else None)
    counts = reminders.counts([h.id for h in houses], year)
    context = {"summaries": overview.summaries(houses, year), "selected": selected, "year": year_label(year),
               "filters": _student_filter_values(), "status_labels": overview.STATUSES,
               "reminder_form": ReminderForm(), "counts": counts,
               "estimates": {house_id: estimate_text(c.due) for house_id, c in counts.items()},
               "cooldown_hours": cooldown_hours()}
    if selected is not None:
        filters = context["filters"]
        rows, total, page = overview.student_page(selected.id, year, filters["status"] or None, filters["q"] or None,
                                                  whole_number(request.args.get("page")) or 1)
        batch = db.session.get(ReminderBatch, request.args.get("batch", "")) or reminders.latest_batch(selected.id)
        if batch is not None and batch.house_id != selected.id:
            batch = None
        context.update(rows=rows, total=total, page=page, per_page=overview.PER_PAGE, batch=batch,
                       progress=reminders.batch_progress(batch.id) if batch else None,
                       batch_kind=reminders.batch_kind(batch.id) if batch else None)
    return render_template("admin/move_in.html", **context)


@bp.route("/move-in/export.csv")
@admin_required
def move_in_csv():
    house = administered_house(request.args.get("house"))
    filters = _student_filter_values()
    year = academic_year()
    body = overview.students_csv(house, year, filters["status"] or None, filters["q"] or None)
    name = f"move-in-{house.slug}-{year}{'-' + filters['status'] if filters['status'] else ''}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _press_message(result: reminders.ReminderResult) -> str:
    """What a press did, and who it left out and why: whole sentences, each with its own plural form."""
    counts = result.counts
    if not result.queued:
        sentences = [_("No reminders queued.")]
    elif held_up(result.last_out_by):
        sentences = [ngettext("%(num)d reminder queued; it goes out when sending resumes (the mail budget is used up "
                              "or paused).",
                              "%(num)d reminders queued; they go out when sending resumes (the mail budget is used "
                              "up or paused).", result.queued)]
    else:
        sentences = [ngettext("%(num)d reminder queued; at the current budget the last goes out by %(time)s.",
                              "%(num)d reminders queued; at the current budget the last goes out by %(time)s.",
                              result.queued, time=when(result.last_out_by))]
    if result.queued and counts.not_signed_in:
        sentences.append(ngettext(
            "%(num)d of them has not signed in yet: their reminder carries a link to set a password.",
            "%(num)d of them have not signed in yet: their reminder carries a link to set a password.",
            counts.not_signed_in))
    if counts.held_back:
        sentences.append(ngettext(
            "%(num)d student not reminded: reminded or invited in the last %(hours)s hours or at the yearly cap of "
            "%(cap)d.",
            "%(num)d students not reminded: reminded or invited in the last %(hours)s hours or at the yearly cap of "
            "%(cap)d.", counts.held_back, hours=cooldown_hours(), cap=reminders.yearly_cap()))
    if counts.turned_off:
        sentences.append(ngettext("%(num)d student has turned move-in reminders off (not emailed).",
                                  "%(num)d students have turned move-in reminders off (not emailed).",
                                  counts.turned_off))
    if counts.bounced:
        sentences.append(ngettext(
            "%(num)d student not emailed: the address bounced (correct it on the student's page).",
            "%(num)d students not emailed: the address bounced (correct it on the student's page).", counts.bounced))
    return " ".join(sentences)


@bp.route("/move-in/reminders", methods=["POST"])
@admin_required
def move_in_reminders():
    form = ReminderForm()
    if not form.validate_on_submit():
        abort(400, _("The reminder form was not valid; reload the page and try again."))
    house = administered_house(form.house.data)
    result = reminders.send_reminders(house, current_user)
    message = _press_message(result)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(queued=result.queued, skipped=result.counts.held_back, turned_off=result.counts.turned_off,
                       bounced=result.counts.bounced, not_signed_in=result.counts.not_signed_in,
                       batch=result.batch_id, message=message,
                       last_out_by=result.last_out_by.isoformat() if result.last_out_by else None)
    flash(message, "success" if result.queued else "info")
    return redirect(url_for(".move_in", house=house.slug, batch=result.batch_id))


@bp.route("/move-in/batches/<batch_id>")
@admin_required
def move_in_batch(batch_id: str):
    """JSON progress of one reminder batch (polled by static/js/move_in.js)."""
    batch = db.session.get(ReminderBatch, batch_id)
    if batch is None or not current_user.administers(batch.house_id):
        abort(404, _("No such reminder batch"))
    response = jsonify(reminders.batch_progress(batch.id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/move-in/students/<id:user_id>")
@admin_required
def move_in_student(user_id: int):
    """One student's form (once submitted) and their reminder history."""
    student = db.session.get(User, user_id)
    if student is None or student.role != Role.STUDENT or not current_user.administers(student.house_id or 0):
        abort(404, _("No such student in your houses"))
    current = academic_year()
    year = whole_number(request.args.get("year", str(current)))
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        abort(404, _("No move-in forms for that year"))
    saved, elsewhere = form_for(student.id, year), None
    if saved is not None and not current_user.administers(saved.house_id):
        # Filled in at another house, before the student moved: that house's to read, not this admin's.
        saved, elsewhere = None, db.session.get(House, saved.house_id)
    years = db.session.scalars(
        sa.select(MoveInForm.academic_year)
        .where(MoveInForm.user_id == student.id, MoveInForm.house_id.in_(current_user.admin_house_ids))
        .order_by(MoveInForm.academic_year.desc())).all()
    history = reminders.history(student.id)
    return render_template("admin/move_in_student.html", student=student, saved=saved, elsewhere=elsewhere,
                           year=year_label(year),
                           years=[(y, year_label(y)) for y in years if y != year],
                           history=history, this_year=sum(1 for r in history if r["year"] == current),
                           cap=reminders.yearly_cap())


@bp.route("/move-in/<slug>/checklist", methods=["GET", "POST"])
@admin_required
def move_in_checklist(slug: str):
    house = administered_house(slug)
    form = ChecklistForm()
    if request.method == "GET":
        form.items.data = "\n".join(spoken(checklist_for(house.id)))
        form.terms.data = "\n".join(spoken(terms_for(house.id)))
    elif form.validate_on_submit():
        try:
            items = as_stored(parse_lines(form.items.data, ITEM_MAX_LENGTH, "item"))
        except ValueError as error:
            form.items.errors = [*form.items.errors, str(error)]
        try:
            terms = as_stored(parse_lines(form.terms.data, TERM_MAX_LENGTH, "term"))
        except ValueError as error:
            form.terms.errors = [*form.terms.errors, str(error)]
        if not form.items.errors and not form.terms.errors:
            replace_lists(house.id, items, terms)
            db.session.commit()
            flash(_("The move-in checklist and terms of %(house)s are saved. Drafts pick them up; submitted forms "
                    "keep what the student saw.", house=house.name), "success")
            return redirect(url_for(".move_in", house=house.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/move_in_checklist.html", form=form, house=house), status
