"""Houses with their rooms and common areas: the one set of rules the CLI (`flask houses ...`) and the
developers' pages (/dev/houses) share. Every function adds to the session; the caller commits, or rolls back
on a HouseError (nothing half-stored)."""
import re

import sqlalchemy as sa
from flask import current_app

from app.emailer.render import ADDRESS
from app.extensions import db
from app.models.accounts import User
from app.models.houses import CommonArea, House, Room
from app.models.issues import Issue
from app.text import CONTROL

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX, NAME_MAX, AREA_MAX = 60, 120, 80  # the column sizes in app/models/houses.py
ROOMS_SPEC_MAX = 2000  # characters of a room list ("101-140,G1")
PHONE = re.compile(r"\+?[0-9 ()-]{3,40}")


class HouseError(ValueError):
    """A change refused; str() says why, `field` names the input at fault (slug, name, rooms, area, ...), if one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def parse_rooms(spec: str) -> list[str]:
    """'101-103,G1' -> ['101', '102', '103', 'G1']. Raises HouseError on a malformed part."""
    if len(spec) > ROOMS_SPEC_MAX:
        raise HouseError(f"the room list is longer than {ROOMS_SPEC_MAX} characters; add the rooms in parts", "rooms")
    rooms: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
        if match:
            first, last = int(match[1]), int(match[2])
            if last < first or last - first > 5000:
                raise HouseError(f"bad room range {part!r}", "rooms")
            rooms.extend(str(n) for n in range(first, last + 1))
        elif re.fullmatch(r"[A-Za-z0-9._/-]{1,20}", part):
            rooms.append(part)
        else:
            shown = CONTROL.sub("?", part[:20]) + ("..." if len(part) > 20 else "")
            raise HouseError(f"bad room number {shown!r}: use letters, digits and . _ / - (at most 20)", "rooms")
    if len({room.lower() for room in rooms}) != len(rooms):  # MySQL compares them case-insensitively
        raise HouseError("the same room is listed twice", "rooms")
    if not rooms:
        raise HouseError("give at least one room number", "rooms")
    return rooms


def _checked(value: str, what: str, limit: int, field: str) -> str:
    """`value` stripped, or a HouseError when it is empty, too long or holds a control character."""
    value = value.strip()
    if not value or len(value) > limit or CONTROL.search(value):
        shown = CONTROL.sub("?", value if len(value) <= 40 else value[:40] + "...")
        raise HouseError(f"the {what} {shown!r} must be 1 to {limit} characters without control characters", field)
    return value


def _check_slug(slug: str) -> None:
    if not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise HouseError(f"the slug may use lower-case letters, digits and single dashes (at most {SLUG_MAX})",
                         "slug")
    if db.session.scalar(sa.select(House.id).where(House.slug == slug)):
        raise HouseError(f"a house with slug {slug!r} already exists", "slug")


def create_house(name: str, slug: str, rooms: list[str], common_areas: list[str]) -> House:
    """Add a house to the session. Raises HouseError on a bad or taken slug, a name or common area that does
    not fit its column; common areas that differ only in case are kept once."""
    slug = slug.strip()
    _check_slug(slug)
    name = _checked(name, "house name", NAME_MAX, "name")
    areas: dict[str, str] = {}  # the first spelling of each, as MySQL compares them case-insensitively
    for area in common_areas:
        area = _checked(area, "common area", AREA_MAX, "areas")
        areas.setdefault(area.lower(), area)
    house = House(name=name, slug=slug)
    house.rooms = [Room(number=number) for number in rooms]
    house.common_areas = [CommonArea(name=area) for area in areas.values()]
    db.session.add(house)
    return house


def house_by_slug(slug: str) -> House | None:
    return db.session.scalar(sa.select(House).where(House.slug == slug))


def rename_house(house: House, name: str) -> None:
    house.name = _checked(name, "house name", NAME_MAX, "name")


def set_contacts(house: House, admin_email: str, emergency_phone: str) -> None:
    """The house's admin address (Reply-To of its emails) and emergency number (QR poster); empty clears them."""
    admin_email, emergency_phone = admin_email.strip(), emergency_phone.strip()
    if admin_email and not (len(admin_email) <= 254 and ADDRESS.fullmatch(admin_email)):
        raise HouseError("the admin address must be one email address, like maintenance@res.example.ac.za",
                         "admin_email")
    if emergency_phone and not PHONE.fullmatch(emergency_phone):
        raise HouseError("the emergency number may hold digits, spaces, + ( ) - and at most 40 characters",
                         "emergency_phone")
    house.admin_email, house.emergency_phone = admin_email or None, emergency_phone or None


def set_language(house: House, code: str) -> None:
    """The language of emails to the house's students who chose none (app/languages.of_recipients); "" clears it
    (DEFAULT_LANGUAGE)."""
    code = code.strip()
    offered = current_app.config["LANGUAGES"]
    if code and code not in offered:
        raise HouseError(f"the language must be one of {', '.join(offered)}, or none", "language")
    house.language = code or None


def _refuse_removal(what: str, *checks) -> None:
    """A HouseError for the first (count query, reason) of `checks` that counts something: "{what} cannot be
    removed: {reason}", `{n}` in the reason replaced by the count."""
    for query, reason in checks:
        if count := db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())):
            raise HouseError(f"{what} cannot be removed: {reason.format(n=count)}")


def remove_house(house: House) -> None:
    """Delete a house nobody lives in and no issue was ever reported in (its admins and staff lose it)."""
    _refuse_removal(house.name,
                    (sa.select(Issue.id).where(Issue.house_id == house.id),
                     "{n} issue(s) were reported in it, and issues are kept for the record"),
                    (sa.select(User.id).where(User.house_id == house.id),
                     "{n} account(s) belong to it; move or anonymise them first"))
    db.session.delete(house)


def add_rooms(house: House, numbers: list[str]) -> list[Room]:
    """Add rooms to `house`; none is added when one of them exists already."""
    taken = {room.number.lower(): room.number for room in house.rooms}
    clashes = [taken[number.lower()] for number in numbers if number.lower() in taken]
    if clashes:
        shown = ", ".join(clashes[:10]) + (f" and {len(clashes) - 10} more" if len(clashes) > 10 else "")
        raise HouseError(f"{house.name} already has room(s) {shown}; nothing was added", "rooms")
    rooms = [Room(number=number) for number in numbers]
    house.rooms.extend(rooms)
    return rooms


def remove_room(room: Room) -> None:
    """Delete a room nobody lives in and no issue refers to."""
    _refuse_removal(f"room {room.number}",
                    (sa.select(User.id).where(User.room_id == room.id),
                     "{n} account(s) have it as their room; move them to another room first"),
                    (sa.select(Issue.id).where(Issue.room_id == room.id), "{n} issue(s) refer to it"))
    room.house.rooms.remove(room)


def _check_area_free(house: House, name: str, keep: CommonArea | None = None) -> None:
    if any(area.name.lower() == name.lower() and area is not keep for area in house.common_areas):
        raise HouseError(f"{house.name} already has a common area called {name!r}", "area")


def add_common_area(house: House, name: str) -> CommonArea:
    name = _checked(name, "common area", AREA_MAX, "area")
    _check_area_free(house, name)
    area = CommonArea(name=name)
    house.common_areas.append(area)
    return area


def rename_common_area(area: CommonArea, name: str) -> None:
    name = _checked(name, "common area", AREA_MAX, "area")
    _check_area_free(area.house, name, keep=area)
    area.name = name


def remove_common_area(area: CommonArea) -> None:
    """Delete a common area no issue refers to."""
    _refuse_removal(f"the common area {area.name!r}",
                    (sa.select(Issue.id).where(Issue.common_area_id == area.id),
                     "{n} issue(s) refer to it; rename it instead"))
    area.house.common_areas.remove(area)
