"""/dev/houses: developers list and create houses, rename them, add and remove rooms and common areas, link
and invite house admins, and remove a house nothing refers to (added to dev's bp)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from app.auth.access import developer_required
from app.dev import houses
from app.dev.forms import (
    AdminForm,
    AreaForm,
    ContactsForm,
    HouseNameForm,
    LanguageForm,
    NewHouseForm,
    RemoveHouseForm,
    RoomsForm,
)
from app.dev.routes import bp
from app.extensions import db
from app.house_setup import (
    HouseError,
    add_common_area,
    add_rooms,
    create_house,
    house_by_slug,
    parse_rooms,
    remove_common_area,
    remove_house,
    remove_room,
    rename_common_area,
    rename_house,
    set_contacts,
    set_language,
)
from app.issues.forms import ButtonForm
from app.languages import NAMES
from app.models.accounts import User
from app.models.houses import CommonArea, House, Room

RACE = HouseError("someone else made the same change at the same moment; nothing was stored, look and try again")


def _house(slug: str) -> House:
    return house_by_slug(slug) or abort(404, "There is no house with that address.")


def _part(model, house: House, part_id: int):
    """The room or common area `part_id` of `house`, else 404."""
    part = db.session.get(model, part_id)
    if part is None or part.house_id != house.id:
        abort(404, "That house has no such room or common area.")
    return part


def _page(house: House, bound=None, status: int = 200, problem: str | None = None):
    """The house page; `bound` (a form with the input just refused) replaces its blank twin."""
    blank = {"house": (HouseNameForm, {"name": house.name}), "rooms": (RoomsForm, {}), "new": (AreaForm, {}),
             "contacts": (ContactsForm, {"admin_email": house.admin_email, "emergency_phone": house.emergency_phone}),
             "language": (LanguageForm, {"language": house.language or ""}),
             "admin": (AdminForm, {}), "remove": (RemoveHouseForm, {})}
    blank.update({f"area{area.id}": (AreaForm, {"area": area.name}) for area in house.common_areas})
    forms = {key: form_class(formdata=None, prefix=key, data=data) for key, (form_class, data) in blank.items()}
    if bound is not None:
        forms[bound.key] = bound
    forms["language"].language.choices = _language_choices()
    for area in house.common_areas:
        forms[f"area{area.id}"].area.label.text = f"Common area “{area.name}”"
    return render_template("dev/houses_detail.html", house=house, forms=forms, problem=problem,
                           rooms=houses.rooms_in_order(house), room_usage=houses.room_usage(house),
                           area_issues=houses.area_issues(house), admins=houses.admins_of(house)), status


def _language_choices() -> list[tuple[str, str]]:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return [("", f"None: the default ({NAMES.get(default, default)})"),
            *[(code, NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]]


def _apply(house: House, key: str, form_class, change):
    """Run `change(form)` (it returns the message to flash) when the posted form `key` is valid: commit and go back
    to the house page; on a refusal roll back and show the page again with the input kept and the reason beside
    it (400)."""
    form = form_class(prefix=key)
    form.key = key
    if form.validate() and (message := _attempt(form, change)):
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("dev.house", slug=house.slug))
    return _page(house, form, 400)


def _attempt(form, change) -> str | None:
    """`change(form)` written to the session: its message; or None, rolled back, with the refusal on `form`."""
    try:
        message = change(form)
        db.session.flush()
        return message
    except (HouseError, IntegrityError) as error:  # IntegrityError: a unique key taken since the check
        db.session.rollback()
        error = error if isinstance(error, HouseError) else RACE
        form.refuse(error, houses.sentence(error))
        return None


def _refuse(house: House, error: HouseError):
    db.session.rollback()
    return _page(house, status=409, problem=houses.sentence(error))


def _button(house: House, change):
    """A one-click change (remove a room, a common area, an admin): done, or the page with the reason (409)."""
    if not ButtonForm().validate():
        abort(400, "The form expired; reload the page and try again.")
    try:
        message = change()
    except HouseError as error:
        return _refuse(house, error)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("dev.house", slug=house.slug))


@bp.route("/houses", methods=["GET", "POST"])
@developer_required
def houses_page():
    form = NewHouseForm()

    def create(form):
        rooms = parse_rooms(form.rooms.data) if form.rooms.data else []
        house = create_house(form.name.data or "", form.slug.data or "", rooms,
                             [area for area in (form.areas.data or "").split(",") if area.strip()])
        return f"{house.name} was created with {len(rooms)} room(s)."
    if request.method == "POST" and form.validate() and (message := _attempt(form, create)):
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("dev.house", slug=form.slug.data))
    status = 400 if request.method == "POST" else 200
    return render_template("dev/houses.html", rows=houses.house_rows(), form=form), status


@bp.route("/houses/<slug>")
@developer_required
def house(slug: str):
    return _page(_house(slug))


@bp.post("/houses/<slug>/name")
@developer_required
def rename_house_view(slug: str):
    house = _house(slug)

    def change(form):
        rename_house(house, form.name.data or "")
        return f"The house is now called {house.name}."
    return _apply(house, "house", HouseNameForm, change)


@bp.post("/houses/<slug>/contacts")
@developer_required
def contacts_view(slug: str):
    house = _house(slug)

    def change(form):
        set_contacts(house, form.admin_email.data or "", form.emergency_phone.data or "")
        return "Contacts saved."
    return _apply(house, "contacts", ContactsForm, change)


@bp.post("/houses/<slug>/language")
@developer_required
def language_view(slug: str):
    house = _house(slug)

    def change(form):
        set_language(house, form.language.data or "")
        return f"Emails to the students of {house.name} who chose no language are now in " \
               f"{NAMES.get(house.language, house.language) if house.language else 'the default language'}."
    return _apply(house, "language", LanguageForm, change)


@bp.post("/houses/<slug>/rooms")
@developer_required
def add_rooms_view(slug: str):
    house = _house(slug)

    def change(form):
        rooms = add_rooms(house, parse_rooms(form.rooms.data or ""))
        return f"{len(rooms)} room(s) added: " + ", ".join(room.number for room in rooms[:3]) + (
            f" ... {rooms[-1].number}." if len(rooms) > 3 else ".")
    return _apply(house, "rooms", RoomsForm, change)


def _remove_part(slug: str, model, part_id: int, remove, label) -> tuple:
    """Remove the room or common area `part_id` of the house at `slug` (the button of its row)."""
    house = _house(slug)
    part = _part(model, house, part_id)

    def change():
        remove(part)
        return f"{label(part)} was removed."
    return _button(house, change)


@bp.post("/houses/<slug>/rooms/<id:room_id>/remove")
@developer_required
def remove_room_view(slug: str, room_id: int):
    return _remove_part(slug, Room, room_id, remove_room, lambda room: f"Room {room.number}")


@bp.post("/houses/<slug>/areas")
@developer_required
def add_area_view(slug: str):
    house = _house(slug)

    def change(form):
        return f"Common area “{add_common_area(house, form.area.data or '').name}” added."
    return _apply(house, "new", AreaForm, change)


@bp.post("/houses/<slug>/areas/<id:area_id>")
@developer_required
def rename_area_view(slug: str, area_id: int):
    house = _house(slug)
    area = _part(CommonArea, house, area_id)

    def change(form):
        old = area.name
        rename_common_area(area, form.area.data or "")
        return f"“{old}” is now called “{area.name}”."
    return _apply(house, f"area{area.id}", AreaForm, change)


@bp.post("/houses/<slug>/areas/<id:area_id>/remove")
@developer_required
def remove_area_view(slug: str, area_id: int):
    return _remove_part(slug, CommonArea, area_id, remove_common_area, lambda area: f"Common area “{area.name}”")


@bp.post("/houses/<slug>/admins")
@developer_required
def add_admin_view(slug: str):
    house = _house(slug)

    def change(form):
        user, created = houses.add_admin(house, form.email.data or "", form.name.data or "")
        return f"{user.name} is now an admin of {house.name}" + (
            "; they were emailed a link to choose their password." if created else ".")
    return _apply(house, "admin", AdminForm, change)


@bp.post("/houses/<slug>/admins/<id:user_id>/remove")
@developer_required
def remove_admin_view(slug: str, user_id: int):
    house = _house(slug)
    user = db.session.get(User, user_id)
    if user is None or not user.administers(house.id):
        abort(404, "That house has no such admin.")

    def change():
        houses.remove_admin(house, user)
        left = "" if houses.admins_of(house) else (f" {house.name} has no admin now: urgent reports go to the "
                                                    "fallback address until it has one.")
        return f"{user.name} is no longer an admin of {house.name}.{left}"
    return _button(house, change)


@bp.post("/houses/<slug>/remove")
@developer_required
def remove_house_view(slug: str):
    house, form = _house(slug), RemoveHouseForm(prefix="remove")
    form.key = "remove"
    if not form.validate():
        return _page(house, form, 400)
    if form.confirm.data != house.slug:
        form.confirm.errors.append(f"Type {house.slug} to confirm.")
        return _page(house, form, 400)
    name = house.name
    try:
        remove_house(house)
        db.session.flush()
    except HouseError as error:
        return _refuse(house, error)
    db.session.commit()
    flash(f"{name} was removed.", "success")
    return redirect(url_for("dev.houses_page"))
