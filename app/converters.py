"""Numbers from URLs: the `<id:...>` converter for database ids, and whole numbers from query strings."""
import re

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # every primary key is a signed 32-bit INT: larger ids are a 404, not a database overflow


class IdConverter(IntegerConverter):
    """A positive database id (1 to MAX_ID); anything else does not match the route."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def whole_number(text: str | None, maximum: int = MAX_ID) -> int | None:
    """`text` as a whole number from 0 to `maximum` (ASCII digits only), or None."""
    if not re.fullmatch(r"[0-9]{1,10}", text or ""):
        return None
    value = int(text)
    return value if value <= maximum else None


def init_converters(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
