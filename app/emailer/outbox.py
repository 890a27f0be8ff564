"""Queueing emails in the caller's transaction (rendering happens later, in the worker)."""
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailKind, MailStatus, OutboxEmail


def enqueue(
    template: str,
    to: str,
    context: dict[str, Any] | None = None,
    *,
    kind: MailKind = MailKind.TRANSACTIONAL,
    coalesce_key: str | None = None,
    batch: str | None = None,
    logo: bool = True,
    delay: float = 0,
) -> OutboxEmail:
    """Queue one email in the current session; it is sent only if the caller commits.

    `template` names templates/email/<template>.txt and .html; the .txt starts with a
    `Subject: ...` line. `context` must be JSON-serialisable (pass absolute URLs in it).
    With `coalesce_key`, a still-queued email with the same key is updated instead of a second
    one being added. `delay` (seconds) holds the email back, giving coalescing time to work.
    """
    kind = MailKind(kind)
    context = context or {}
    if coalesce_key:
        pending = _coalesce(coalesce_key, template, to, context)
        if pending is not None:
            return pending
    email = OutboxEmail(
        template=template, to_address=to, context=context, kind=kind, priority=PRIORITY[kind],
        coalesce_key=coalesce_key, batch=batch, logo=logo, send_after=utcnow() + timedelta(seconds=delay),
    )
    db.session.add(email)
    return email


def _coalesce(key: str, template: str, to: str, context: dict[str, Any]) -> OutboxEmail | None:
    """Update the queued email with `key`, if any, and return it.

    The UPDATE is guarded by status, so a row a worker has just claimed is never changed under it
    (the caller then queues a fresh email instead).
    """
    row_id = _latest_queued(key, OutboxEmail.id)
    if row_id is None:
        return None
    updated = db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id == row_id, OutboxEmail.status == MailStatus.QUEUED)
        .values(template=template, to_address=to, context=context)
        .execution_options(synchronize_session=False))
    if updated.rowcount != 1:
        return None
    email = db.session.get(OutboxEmail, row_id)
    db.session.refresh(email)
    return email


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
    kind: MailKind = MailKind.BULK,
    batch: str | None = None,
) -> int:
    """Queue one email per (address, context) pair with a single bulk INSERT; returns the count."""
    kind = MailKind(kind)
    now = utcnow()
    rows = [
        {"template": template, "to_address": to, "context": context, "kind": kind, "priority": PRIORITY[kind],
         "status": MailStatus.QUEUED, "batch": batch, "logo": True, "attempts": 0,
         "send_after": now, "created_at": now}
        for to, context in recipients
    ]
    if rows:  # a Core executemany on the session's connection: same transaction, no ORM bookkeeping
        db.session.connection().execute(sa.insert(OutboxEmail.__table__), rows)
    return len(rows)
