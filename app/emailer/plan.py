"""`flask mail plan --students N`: before term, how long invitations and reminders for N students will take
on the live settings and history, the reserves behind that, and what to change to finish in a day."""
from datetime import datetime

from app.emailer import budget
from app.localtime import when
from app.models.base import utcnow
from app.models.mail import Purpose


def _finish(count: int, now: datetime) -> str:
    done = budget.estimate_delivery(count, Purpose.BULK)
    if done == datetime.max:
        return "never: bulk mail has no room at all"
    hours = max(0.0, (done - now).total_seconds() / 3600)
    return "today, as fast as the worker sends" if hours < 0.02 else f"by {when(done)} (about {hours:.0f} hours)"


def plan(students: int) -> list[str]:
    """The report's lines."""
    now, limit = utcnow(), budget.daily_limit()
    reserves, used_by = budget.reserves(now=now), budget.used_by_purpose(now)
    reserved = sum(reserve.slots for reserve in reserves.values())
    bulk_day = max(0, limit - reserved)
    lines = [f"Daily limit (MAIL_DAILY_LIMIT): {limit} recipients per rolling 24 hours; "
             f"{sum(used_by.values())} used in the last 24 hours.", "Reserves for the coming 24 hours:"]
    lines += [f"  {purpose.value:<9} {reserve.slots:>6}  used {used_by[purpose]:>5}  ({reserve.learned})"
              for purpose, reserve in reserves.items() if purpose != Purpose.BULK]
    lines += [f"Bulk mail (invitations, reminders) may use the other {bulk_day} a day; "
              f"{budget.room(Purpose.BULK, used_by)} now.",
              f"Invitations to {students} students: {_finish(students, now)}.",
              f"Then one reminder to each of them: {_finish(2 * students, now)}."]
    if 2 * students <= bulk_day:
        lines.append("Both fit in one day: nothing to change.")
        return lines
    lines.append(f"To send both within one day: raise MAIL_DAILY_LIMIT to at least {2 * students + reserved} "
                 "(if your mail provider allows it), or send the invitations a day before the reminders "
                 f"({students + reserved} a day is enough for one round).")
    held = [f"MAIL_SHARE_{purpose.name}" for purpose, reserve in reserves.items()
            if purpose != Purpose.BULK and ("configured share" in reserve.learned or "held to" in reserve.learned)]
    if held:
        lines.append(f"Reserves held at their configured share ({', '.join(held)}): lowering those shares gives "
                     "bulk mail more room; with a day of history they follow measured demand instead.")
    return lines
