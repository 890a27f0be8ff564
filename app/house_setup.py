"""Creating houses with their rooms and common areas."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.models.houses import CommonArea, House, Room
from app.text import CONTROL

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX, AREA_MAX = 120, 80  # the column sizes in app/models/houses.py


def parse_rooms(spec: str) -> list[str]:
    """'101-103,G1' -> ['101', '102', '103', 'G1']. Raises ValueError on a malformed part."""
    rooms: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
        if match:
            first, last = int(match[1]), int(match[2])
            if last < first or last - first > 5000:
                raise ValueError(f"bad room range {part!r}")
            rooms.extend(str(n) for n in range(first, last + 1))
        elif re.fullmatch(r"[A-Za-z0-9._/-]{1,20}", part):
            rooms.append(part)
        else:
            raise ValueError(f"bad room number {part!r}")
    if len({room.lower() for room in rooms}) != len(rooms):  # MySQL compares them case-insensitively
        raise ValueError("the same room is listed twice")
    if not rooms:
        raise ValueError("give at least one room number")
    return rooms


def _check_text(value: str, what: str, limit: int) -> None:
    if not value or len(value) > limit or CONTROL.search(value):
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise ValueError(f"the {what} {shown!r} must be 1 to {limit} characters without control characters")


def create_house(name: str, slug: str, rooms: list[str], common_areas: list[str]) -> House:
    """Add a house to the session (the caller commits). Raises ValueError on a bad or taken slug, a name or
    common area that does not fit its column; common areas that differ only in case are kept once."""
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise ValueError("the slug may use lower-case letters, digits and single dashes")
    name = name.strip()
    _check_text(name, "house name", NAME_MAX)
    areas: dict[str, str] = {}  # the first spelling of each, as MySQL compares them case-insensitively
    for area in (area.strip() for area in common_areas):
        _check_text(area, "common area", AREA_MAX)
        areas.setdefault(area.lower(), area)
    if db.session.scalar(sa.select(House.id).where(House.slug == slug)):
        raise ValueError(f"a house with slug {slug!r} already exists")
    house = House(name=name, slug=slug)
    house.rooms = [Room(number=number) for number in rooms]
    house.common_areas = [CommonArea(name=area) for area in areas.values()]
    db.session.add(house)
    return house


def house_by_slug(slug: str) -> House | None:
    return db.session.scalar(sa.select(House).where(House.slug == slug))
