"""Queueing emails in the caller's transaction (rendering happens later, in the worker)."""
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.emailer.admission import Letter, admit
from app.extensions import db
from app.models.mail import MailStatus, OutboxEmail, Purpose


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
    letter = Letter(to, context or {}, coalesce_key)
    admitted = admit(template, [letter], purpose=purpose, cause=cause, batch=batch, logo=logo, delay=delay,
                     send_by=send_by, objects=True)
    if admitted.coalesced:
        email = db.session.get(OutboxEmail, admitted.coalesced[0])
        db.session.refresh(email)
        return email
    return admitted.emails[0] if admitted.queued else None


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
    """Queue one email per (address, context) pair with a single bulk INSERT; returns the count queued. Each
    counts against the cap of its cause as `enqueue`'s do (bulk mail is held to the budget instead). Recipients
    who turned this kind of mail off are left out (and counted); those whose address hard-bounced are stored as
    `skipped` (counted on the address, not in the returned count)."""
    return admit(template, [Letter(to, context) for to, context in recipients], purpose=purpose, cause=cause,
                 batch=batch).queued
