"""What each purpose above bulk reserves of the rolling 24-hour budget: what its own history says it will need.

A purpose's reserve is its highest use in any 24 hours of the past HISTORY days (counted by the hour from the
outbox's charged_at, which is indexed), times 1 + MAIL_RESERVE_MARGIN, at least MAIL_RESERVE_MINIMUM_SHARE of
the day, never more than its configured share (MAIL_SHARE_<PURPOSE>). Security mail reserves at least room for
the anonymous ceiling (app/emailer/causes.py) and the minimum beside it, so resets of known accounts always fit.
With less than a day of history, or a history that cannot be read, the configured shares apply (and /dev/mail
says why). The forecast is kept on the mail_state row for KEEP, so a claim does not compute it again.
"""
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models.mail import PRIORITY, MailState, OutboxEmail, Purpose

HISTORY = timedelta(days=14)
KEEP = timedelta(minutes=10)
HOURS_PER_WINDOW = 24
ABOVE_BULK = tuple(purpose for purpose in Purpose if purpose != Purpose.BULK)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reserve:
    slots: int
    learned: str  # how the reserve was found, for /dev/mail and `flask mail plan`


def settings_problem(config) -> str | None:
    """Why the share and reserve settings cannot work (a start-up check), or None."""
    names = [f"MAIL_SHARE_{purpose.name}" for purpose in ABOVE_BULK]
    if (total := sum(config[name] for name in names)) > 1:
        return f"{', '.join(names)} add up to {total:g}; at most 1"
    if config["MAIL_RESERVE_MARGIN"] < 0:
        return f"MAIL_RESERVE_MARGIN={config['MAIL_RESERVE_MARGIN']:g} is negative: use 0 for no safety margin"
    minimum = config["MAIL_RESERVE_MINIMUM_SHARE"]
    if low := [name for name in names if 0 < config[name] < minimum]:
        return (f"MAIL_RESERVE_MINIMUM_SHARE ({minimum:g}) is above {low[0]} ({config[low[0]]:g}): a reserve's "
                "minimum cannot pass its share")
    return None


def _slots(share: float, limit: int) -> int:
    return math.floor(limit * share)


def configured(why: str) -> dict[Purpose, Reserve]:
    """Every purpose above bulk reserves its configured share (bulk reserves nothing)."""
    config, limit = current_app.config, int(current_app.config["MAIL_DAILY_LIMIT"])
    found = {purpose: Reserve(_slots(config[f"MAIL_SHARE_{purpose.name}"], limit), f"configured share ({why})")
             for purpose in ABOVE_BULK}
    return {**found, Purpose.BULK: Reserve(0, "none: bulk uses what the others do not reserve")}


def learned(peaks: dict[Purpose, int], days: int) -> dict[Purpose, Reserve]:
    """The reserves that the highest 24-hour use of each purpose (`peaks`, over `days` of history) asks for."""
    config, limit = current_app.config, int(current_app.config["MAIL_DAILY_LIMIT"])
    margin, minimum = config["MAIL_RESERVE_MARGIN"], _slots(config["MAIL_RESERVE_MINIMUM_SHARE"], limit)
    found = {Purpose.BULK: Reserve(0, "none: bulk uses what the others do not reserve")}
    for purpose in ABOVE_BULK:
        share = _slots(config[f"MAIL_SHARE_{purpose.name}"], limit)
        need, why = math.ceil(peaks.get(purpose, 0) * (1 + margin)), \
            f"learned: at most {peaks.get(purpose, 0)} in 24 h over {days} days, +{margin:.0%}"
        if purpose == Purpose.SECURITY:
            floor = _slots(config["MAIL_ANONYMOUS_SECURITY_SHARE"], limit) + minimum
            if need < floor:
                need, why = floor, f"{why}; raised to the anonymous ceiling plus the minimum"
        if need < minimum:
            need, why = minimum, f"{why}; raised to the minimum"
        if need > share:
            need, why = share, f"{why}; held to its configured share"
        found[purpose] = Reserve(need, why)
    return found


def peak_by_hour(times: list[tuple[Purpose, datetime]], start: datetime, hours: int) -> dict[Purpose, int]:
    """Each purpose's highest count in any HOURS_PER_WINDOW consecutive hours from `start` on."""
    counts = {purpose: [0] * hours for purpose in ABOVE_BULK}
    for purpose, at in times:
        hour = int((at - start).total_seconds() // 3600)
        if 0 <= hour < hours and purpose in counts:
            counts[purpose][hour] += 1
    peaks = {}
    for purpose, hourly in counts.items():
        running = best = sum(hourly[:HOURS_PER_WINDOW])
        for hour in range(HOURS_PER_WINDOW, hours):
            running += hourly[hour] - hourly[hour - HOURS_PER_WINDOW]
            best = max(best, running)
        peaks[purpose] = best
    return peaks


def compute(now: datetime) -> dict[Purpose, Reserve]:
    """The reserves from the outbox's history (in a savepoint: a failed read leaves the caller's work alone)."""
    try:
        with db.session.begin_nested():
            oldest = db.session.scalar(sa.select(sa.func.min(OutboxEmail.charged_at)))
            if oldest is None or now - oldest < timedelta(hours=HOURS_PER_WINDOW):
                return configured("less than a day of history")
            start = max(now - HISTORY, oldest)
            rows = db.session.execute(sa.select(OutboxEmail.purpose, OutboxEmail.charged_at).where(
                OutboxEmail.charged_at >= start, OutboxEmail.priority < PRIORITY[Purpose.BULK])).all()
    except SQLAlchemyError as exc:
        log.warning("mail reserves: the history could not be read (%s); using the configured shares", exc)
        return configured(f"the history could not be read: {type(exc).__name__}")
    hours = max(HOURS_PER_WINDOW, math.ceil((now - start).total_seconds() / 3600))
    return learned(peak_by_hour([(Purpose(p), at) for p, at in rows], start, hours), (now - start).days)


def _signature() -> list:
    """The settings a kept forecast was made with: another setting makes it stale at once."""
    config = current_app.config
    return [config["MAIL_DAILY_LIMIT"], config["MAIL_RESERVE_MARGIN"], config["MAIL_RESERVE_MINIMUM_SHARE"],
            config["MAIL_ANONYMOUS_SECURITY_SHARE"], *(config[f"MAIL_SHARE_{p.name}"] for p in ABOVE_BULK)]


def reserves(state: MailState | None, now: datetime, keep: bool = False) -> dict[Purpose, Reserve]:
    """The reserves kept on `state` if fresh, else computed (and kept on it with `keep`: the caller holds its
    lock)."""
    kept = state.reserves if state is not None else None
    if kept and state.reserves_at and now - state.reserves_at < KEEP and kept.get("settings") == _signature():
        return {Purpose(p): Reserve(slots, why) for p, (slots, why) in kept["reserves"].items()}
    found = compute(now)
    if keep and state is not None:
        state.reserves = {"settings": _signature(),
                          "reserves": {p.value: [r.slots, r.learned] for p, r in found.items()}}
        state.reserves_at = now
    return found
