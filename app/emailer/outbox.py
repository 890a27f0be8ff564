"""Queueing emails in the caller's transaction (rendering happens later, in the worker)."""
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.emailer import bounces, causes, issue_links, unsubscribe
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailStatus, OutboxEmail, Purpose


def enqueue(
    template: str,
    to: str,
    context: dict[str, Any] | None = None,
    *,
    purpose: Purpose = Purpose.NOTICE,
    cause: str | None = None,
    coalesce_key: str | None = None,
    batch: str | None = None,
    logo: bool = True,
    delay: float = 0,
    send_by: datetime | None = None,
) -> OutboxEmail | None:
    """Queue one email in the current session; it is sent only if the caller commits.

    `template` names templates/email/<template>.txt and .html; the .txt starts with a
    `Subject: ...` line. `context` must be JSON-serialisable (pass absolute URLs in it).
    `cause` defaults to the request's account or client address (`system` outside a request); over
    its daily cap a new email is not queued (None is returned, the refusal is counted).
    With `coalesce_key`, a still-queued email with the same key is updated instead of a second
    one being added (not counted again). `delay` (seconds) holds the email back, giving coalescing
    time to work; `send_by` brings a coalesced email's departure forward to that time at the latest.
    Bulk mail its recipient turned off (app/emailer/unsubscribe.py) is not queued: None, counted there.
    Mail to an address that hard-bounced (app/emailer/bounces.py) is stored as `skipped`, never sent: None.
    An email whose context names issues is linked to them (app/emailer/issue_links.py).
    """
    if unsubscribe.kind_of(template) and unsubscribe.opted_out(template, [to]):
        unsubscribe.count_skipped(template, [to])
        return None
    purpose = Purpose(purpose)
    cause = cause or causes.of_request()
    context = context or {}
    fields = {"template": template, "to_address": to, "context": context, "purpose": purpose,
              "priority": PRIORITY[purpose], "cause": cause, "coalesce_key": coalesce_key, "batch": batch,
              "logo": logo}
    if bounced := bounces.blocked([to]):
        entry = next(iter(bounced.values()))
        bounces.count_skip(entry)
        _linked(OutboxEmail(**fields, status=MailStatus.SKIPPED, last_error=bounces.why_skipped(
            entry.reason, entry.bounced_at)))
        return None
    if coalesce_key:
        pending = _coalesce(coalesce_key, template, to, context, send_by)
        if pending is not None:
            issue_links.link(pending.id, context)
            return pending
    if not causes.admit(cause, purpose):
        return None
    return _linked(OutboxEmail(**fields, send_after=departure(delay, send_by)))


def departure(delay: float, send_by: datetime | None) -> datetime:
    """When a new email may leave: `delay` seconds from now, or `send_by` if that is sooner."""
    send_after = utcnow() + timedelta(seconds=delay)
    return min(send_after, send_by) if send_by else send_after


def _linked(email: OutboxEmail) -> OutboxEmail:
    """Add `email` to the session, linked to the issues its context names."""
    db.session.add(email)
    if issue_links.issue_ids(email.context):
        db.session.flush()
        issue_links.link(email.id, email.context)
    return email


def _coalesce(key: str, template: str, to: str, context: dict[str, Any],
              send_by: datetime | None) -> OutboxEmail | None:
    """Update the queued email with `key`, if any, and return it (None: the caller queues a fresh one)."""
    row_id = _latest_queued(key, OutboxEmail.id)
    if row_id is None or not coalesce_into(row_id, template, to, context, send_by):
        return None
    email = db.session.get(OutboxEmail, row_id)
    db.session.refresh(email)
    return email


def coalesce_into(row_id: int, template: str, to: str, context: dict[str, Any], send_by: datetime | None) -> bool:
    """Give the queued email `row_id` this content; False when it is no longer queued (a worker has just claimed
    it: the UPDATE is guarded by status, so a claimed row is never changed under its worker)."""
    updated = db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id == row_id, OutboxEmail.status == MailStatus.QUEUED)
        .values(template=template, to_address=to, context=context,
                **({"send_after": sa.case((OutboxEmail.send_after > send_by, send_by), else_=OutboxEmail.send_after)}
                   if send_by else {}))
        .execution_options(synchronize_session=False))
    return updated.rowcount == 1


def queued_context(coalesce_key: str) -> dict[str, Any] | None:
    """The context of the still-queued email with `coalesce_key`: what the next enqueue with that key
    replaces, so a caller can carry its content over."""
    return _latest_queued(coalesce_key, OutboxEmail.context)


def _latest_queued(key: str, column):
    return db.session.scalar(
        sa.select(column)
        .where(OutboxEmail.coalesce_key == key, OutboxEmail.status == MailStatus.QUEUED)
        .order_by(OutboxEmail.id.desc()).limit(1))


def enqueue_many(
    template: str,
    recipients: Iterable[tuple[str, dict[str, Any]]],
    *,
    purpose: Purpose = Purpose.BULK,
    cause: str | None = None,
    batch: str | None = None,
) -> int:
    """Queue one email per (address, context) pair with a single bulk INSERT; returns the count. Bulk mail
    is held to its budget share, not to the cap of its cause. Recipients who turned this kind of mail off are
    left out (and counted: app/emailer/unsubscribe.py); those whose address hard-bounced are stored as
    `skipped` (counted on the address, not in the returned count)."""
    purpose, cause = Purpose(purpose), cause or causes.of_request()
    recipients = unsubscribe.wanted(template, recipients)
    bounced = bounces.blocked(to for to, _ in recipients)
    now = utcnow()
    rows = [
        {"template": template, "to_address": to, "context": context, "purpose": purpose,
         "priority": PRIORITY[purpose], "cause": cause,
         "status": MailStatus.QUEUED, "batch": batch, "logo": True, "attempts": 0,
         "send_after": now, "created_at": now, "last_error": None}
        for to, context in recipients
    ]
    for row in rows:
        if entry := bounced.get(bounces.normal(row["to_address"])):
            bounces.count_skip(entry)
            row.update(status=MailStatus.SKIPPED, last_error=bounces.why_skipped(entry.reason, entry.bounced_at))
    if rows:  # a Core executemany on the session's connection: same transaction, no ORM bookkeeping
        db.session.connection().execute(sa.insert(OutboxEmail.__table__), rows)
    return sum(row["status"] == MailStatus.QUEUED for row in rows)
