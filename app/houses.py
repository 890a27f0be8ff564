"""Creating houses with their rooms and common areas."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.models.houses import CommonArea, House, Room

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    if len(set(rooms)) != len(rooms):
        raise ValueError("the same room is listed twice")
    return rooms


def create_house(name: str, slug: str, rooms: list[str], common_areas: list[str]) -> House:
    """Add a house to the session (the caller commits). Raises ValueError on a bad or taken slug."""
    if not SLUG_RE.match(slug) or len(slug) > 60:
        raise ValueError("the slug may use lower-case letters, digits and single dashes")
    if db.session.scalar(sa.select(House.id).where(House.slug == slug)):
        raise ValueError(f"a house with slug {slug!r} already exists")
    house = House(name=name, slug=slug)
    house.rooms = [Room(number=number) for number in rooms]
    house.common_areas = [CommonArea(name=area) for area in dict.fromkeys(common_areas)]
    db.session.add(house)
    return house


def house_by_slug(slug: str) -> House | None:
    return db.session.scalar(sa.select(House).where(House.slug == slug))
