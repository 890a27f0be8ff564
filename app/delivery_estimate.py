"""What the admin reads before pressing a button that queues many emails: "N emails: about X today, the rest by
<local date and time>", from the arithmetic the mail worker sends by (app/emailer/budget.py)."""
from datetime import datetime, time, timedelta

from app.emailer.budget import delivery_forecast
from app.localtime import stored, today, when
from app.models.mail import Purpose


def end_of_today() -> datetime:
    """Local midnight tonight (naive UTC)."""
    return stored(today() + timedelta(days=1), time(0))


def last_out_text(moment: datetime | None) -> str:
    """A departure time in local time, or why there is none."""
    if moment is None or moment.year >= 9999:
        return "not until sending resumes (the mail budget is used up or paused)"
    return when(moment)


def estimate_text(count: int, purpose: Purpose = Purpose.BULK) -> str:
    """When `count` emails of `purpose` queued now would leave ("" for none)."""
    if count <= 0:
        return ""
    leaving_today, last = delivery_forecast(count, purpose, end_of_today())
    emails = f"{count} email{'s' if count != 1 else ''}"
    if leaving_today >= count:
        return f"{emails}: all today, the last by {last_out_text(last)}"
    return f"{emails}: about {leaving_today} today, the rest by {last_out_text(last)}"
