"""Queueing emails in the caller's transaction."""
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailKind, MailStatus, OutboxEmail


def enqueue(
    template: str,
    to: str,
    context: dict[str, Any] | None = None,
    *,
    kind: MailKind = MailKind.TRANSACTIONAL,
    coalesce_key: str | None = None,
    batch: str | None = None,
    logo: bool = True,
) -> OutboxEmail:
    """Queue one email in the current session; it is sent only if the caller commits.

    `template` names templates/email/<template>.txt and .html; the .txt starts with a
    `Subject: ...` line. `context` must be JSON-serialisable (pass absolute URLs in it).
    With `coalesce_key`, an unsent email with the same key is updated instead.
    """
    context = context or {}
    if coalesce_key:
        pending = db.session.scalar(
            sa.select(OutboxEmail)
            .where(OutboxEmail.coalesce_key == coalesce_key, OutboxEmail.status == MailStatus.QUEUED)
            .limit(1)
        )
        if pending is not None:
            pending.template, pending.context, pending.to_address = template, context, to
            return pending
    email = OutboxEmail(
        template=template, to_address=to, context=context, kind=kind,
        coalesce_key=coalesce_key, batch=batch, logo=logo, send_after=utcnow(),
    )
    db.session.add(email)
    return email


def enqueue_many(
    template: str,
    recipients: Iterable[tuple[str, dict[str, Any]]],
    *,
    kind: MailKind = MailKind.BULK,
    batch: str | None = None,
) -> int:
    """Queue one email per (address, context) pair with a single bulk INSERT; returns the count."""
    now = utcnow()
    rows = [
        {"template": template, "to_address": to, "context": context, "kind": kind,
         "status": MailStatus.QUEUED, "batch": batch, "logo": True, "attempts": 0,
         "send_after": now, "created_at": now}
        for to, context in recipients
    ]
    if rows:
        db.session.execute(sa.insert(OutboxEmail), rows)
    return len(rows)


def estimate_delivery(count: int, kind: MailKind = MailKind.BULK):
    """When the last of `count` emails of `kind` queued now would leave, given the budget and the queue.

    Interim: assumes no budget limit (the emailer issue replaces this with the real budget arithmetic).
    """
    return utcnow()
