"""Template filters for issue pages: how long ago, in words (the local time: app/localtime.py `when`)."""
from datetime import datetime

from app.models.base import utcnow


def age(moment: datetime | None) -> str:
    if moment is None:
        return ""
    seconds = max(0, int((utcnow() - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
