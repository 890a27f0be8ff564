"""Throttled alerts: an outbox row (kind alert) only for new, regressed or spiking groups.

At most one alert per group per ERRORLOG_ALERT_INTERVAL seconds and ERRORLOG_ALERT_DAILY_CAP alerts per UTC
day; whatever is held back is listed in the next alert. The logger never sends mail itself.
"""
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.errorlog.store import Counted, Occurrence, insert_ignore
from app.models.errors import ErrorAlertDay, ErrorAlertHold, ErrorGroup, ErrorStatus

SUMMARY_LIMIT = 20


class AlertSink(Protocol):
    """Where alerts go; handed to `errorlog.init_app` by the factory, so the logger never imports the emailer."""

    def queued(self, key: str) -> dict[str, Any] | None:
        """The context of the still-queued alert with `key`, which the next `send` with that key replaces."""

    def send(self, to: str, context: dict[str, Any], key: str) -> None:
        """Queue the alert email in the current session (a still-queued one with `key` is updated)."""


def alert_reason(counted: Counted, spike_per_hour: int) -> str | None:
    if counted.is_new:
        return "new"
    if counted.regressed:
        return "regression"
    if spike_per_hour > 1 and counted.hour_count == spike_per_hour:
        return "spike"
    return None


def take_daily_slot(session: Session, now: datetime, cap: int) -> bool:
    """Consume one of today's alerts atomically; False when the cap is reached."""
    insert_ignore(session, ErrorAlertDay, {"day": now.date(), "sent": 0}, ["day"])
    result = session.execute(sa.update(ErrorAlertDay)
                             .where(ErrorAlertDay.day == now.date(), ErrorAlertDay.sent < cap)
                             .values(sent=ErrorAlertDay.sent + 1))
    return result.rowcount == 1


def detail_url(group_id: int) -> str:
    path = current_app.url_map.bind("localhost").build("dev.error_detail", {"group_id": group_id})
    return current_app.config["BASE_URL"] + path


def take_held_back(session: Session) -> tuple[list[dict[str, Any]], int]:
    """The held-back alerts grouped by error group (most first), removed so they are told only once."""
    holds = session.execute(sa.select(ErrorAlertHold.id, ErrorAlertHold.group_id)).all()
    if not holds:
        return [], 0
    per_group: dict[int, int] = {}
    for hold in holds:
        per_group[hold.group_id] = per_group.get(hold.group_id, 0) + 1
    ids = [hold.id for hold in holds]
    for start in range(0, len(ids), 500):
        session.execute(sa.delete(ErrorAlertHold).where(ErrorAlertHold.id.in_(ids[start:start + 500])))
    top = sorted(per_group.items(), key=lambda item: -item[1])[:SUMMARY_LIMIT]
    groups = {g.id: g for g in session.execute(
        sa.select(ErrorGroup.id, ErrorGroup.title, ErrorGroup.count).where(ErrorGroup.id.in_([g for g, _ in top])))}
    summary = [{"title": groups[gid].title, "count": groups[gid].count, "held": held, "url": detail_url(gid)}
               for gid, held in top if gid in groups]
    return summary, len(holds)


def coalesce_key(group_id: int, to: str) -> str:
    """A group's still-queued alert to `to` is updated rather than repeated (mail paused, queue long)."""
    return f"error-alert:{group_id}:{to}"[:190]


def carry_over(queued: dict[str, Any] | None, held_back: list[dict[str, Any]],
               held_total: int) -> tuple[list[dict[str, Any]], int]:
    """Add the held-back summary of the still-queued alert (its context) this one replaces, so it is not lost."""
    if not queued or not queued.get("held_total"):
        return held_back, held_total
    merged = {item["url"]: dict(item) for item in queued.get("held_back", [])}
    for item in held_back:
        if item["url"] in merged:
            merged[item["url"]].update(count=item["count"], held=merged[item["url"]]["held"] + item["held"])
        else:
            merged[item["url"]] = item
    items = sorted(merged.values(), key=lambda item: -item["held"])[:SUMMARY_LIMIT]
    return items, held_total + int(queued["held_total"])


def hold(session: Session, group_id: int, reason: str, now: datetime) -> None:
    session.execute(sa.insert(ErrorAlertHold).values(group_id=group_id, reason=reason, created_at=now))


def consider_alert(session: Session, counted: Counted, occ: Occurrence, config: Mapping[str, Any],
                   reason: str, sink: AlertSink) -> str | None:
    """Queue an alert for `reason` in `session` when allowed; returns what was done (for tests and logs)."""
    recipients = list(config["DEVELOPER_EMAILS"])
    if not recipients:
        return None
    state = counted.state
    if state.status == ErrorStatus.MUTED:
        return None
    interval = timedelta(seconds=float(config["ERRORLOG_ALERT_INTERVAL"]))
    if state.last_alert_at is not None and occ.at - state.last_alert_at < interval:
        hold(session, counted.group_id, reason, occ.at)
        return "held"
    if not take_daily_slot(session, occ.at, int(config["ERRORLOG_ALERT_DAILY_CAP"])):
        hold(session, counted.group_id, reason, occ.at)
        return "held"
    held_back, held_total = take_held_back(session)
    held_back, held_total = carry_over(sink.queued(coalesce_key(counted.group_id, recipients[0])),
                                       held_back, held_total)
    session.execute(sa.update(ErrorGroup).where(ErrorGroup.id == counted.group_id).values(last_alert_at=occ.at))
    context = {
        "reason": reason, "title": state.title, "source": occ.source, "error_type": occ.error_type,
        "message": occ.message[:2000], "count": state.count, "hour_count": counted.hour_count,
        "first_seen": state.first_seen.isoformat(timespec="seconds") + "Z",
        "at": occ.at.isoformat(timespec="seconds") + "Z", "reference": occ.reference,
        "url": detail_url(counted.group_id), "held_back": held_back, "held_total": held_total,
        "held_more": max(0, held_total - sum(item["held"] for item in held_back)),
    }
    for to in recipients:
        sink.send(to, context, coalesce_key(counted.group_id, to))
    return "queued"
