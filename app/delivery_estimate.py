"""What the admin reads before pressing a button that queues many emails: "N emails: about X today, the rest by
<local date and time>", from the arithmetic the mail worker sends by (app/emailer/budget.py). Whole sentences in
the admin's language, one per case, with the plural form of the count."""
from datetime import datetime, time, timedelta

from flask_babel import ngettext

from app.emailer.budget import delivery_forecast
from app.localtime import stored, today, when
from app.models.mail import Purpose


def end_of_today() -> datetime:
    """Local midnight tonight (naive UTC)."""
    return stored(today() + timedelta(days=1), time(0))


def held_up(moment: datetime | None) -> bool:
    """No departure time: the mail budget is used up or sending is paused."""
    return moment is None or moment.year >= 9999


def estimate_text(count: int, purpose: Purpose = Purpose.BULK) -> str:
    """When `count` emails of `purpose` queued now would leave ("" for none)."""
    if count <= 0:
        return ""
    leaving_today, last = delivery_forecast(count, purpose, end_of_today())
    if held_up(last):
        return ngettext("%(num)d email: not sent until sending resumes (the mail budget is used up or paused)",
                        "%(num)d emails: not sent until sending resumes (the mail budget is used up or paused)",
                        count)
    if leaving_today >= count:
        return ngettext("%(num)d email: all today, the last by %(time)s",
                        "%(num)d emails: all today, the last by %(time)s", count, time=when(last))
    return ngettext("%(num)d email: about %(today)d today, the rest by %(time)s",
                    "%(num)d emails: about %(today)d today, the rest by %(time)s", count,
                    today=leaving_today, time=when(last))
