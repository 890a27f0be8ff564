"""Queueing one coalesced email for each of several people at once (a house's admins hearing of a new issue).

`enqueue_each` does what `enqueue` with a `coalesce_key` does for every (address, key) pair, in a fixed number
of statements instead of about nine per person: one read of the still-queued emails of all keys, one bounce
check, one guarded UPDATE per email that is coalesced, one count against the cause's cap for the new ones, one
INSERT and one write of the issue links.
"""
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.emailer import bounces, causes, issue_links, unsubscribe
from app.emailer.outbox import coalesce_into, departure
from app.extensions import db
from app.models.mail import PRIORITY, MailStatus, OutboxEmail, Purpose

Build = Callable[[str, dict[str, Any] | None], dict[str, Any]]


def enqueue_each(template: str, letters: Sequence[tuple[str, str]], build: Build, *,
                 purpose: Purpose = Purpose.NOTICE, cause: str | None = None, delay: float = 0,
                 send_by: datetime | None = None) -> int:
    """Queue one email of `template` per (address, coalesce_key) in `letters`, each coalesced into the email still
    queued with its key, as `enqueue` does; returns how many were queued or coalesced.

    `build(key, pending)` gives an email's context from the context of the one still queued with its key (None
    when there is none). Each new email counts against the cap of `cause`; over it the rest are not queued.
    """
    purpose, cause = Purpose(purpose), cause or causes.of_request()
    letters = unsubscribe.wanted(template, letters)
    if not letters:
        return 0
    pending = _pending([key for _to, key in letters])
    bounced = bounces.blocked(to for to, _key in letters)
    fields = {"template": template, "purpose": purpose, "priority": PRIORITY[purpose], "cause": cause, "logo": True}
    coalesced: list[tuple[int, dict[str, Any]]] = []  # (queued row updated, its new context)
    skipped: list[OutboxEmail] = []
    fresh: list[OutboxEmail] = []
    # in the order of the queued rows, so two requests coalescing into the same rows lock them in one order
    for to, key in sorted(letters, key=lambda letter: pending.get(letter[1], (0, None))[0]):
        row_id, queued = pending.get(key, (None, None))
        context = build(key, queued)
        if entry := bounced.get(bounces.normal(to)):
            bounces.count_skip(entry)
            skipped.append(OutboxEmail(**fields, to_address=to, context=context, coalesce_key=key,
                                       status=MailStatus.SKIPPED,
                                       last_error=bounces.why_skipped(entry.reason, entry.bounced_at)))
        elif row_id is not None and coalesce_into(row_id, template, to, context, send_by):
            coalesced.append((row_id, context))
        else:
            fresh.append(OutboxEmail(**fields, to_address=to, context=context, coalesce_key=key,
                                     send_after=departure(delay, send_by)))
    fresh = fresh[:causes.admit_up_to(cause, purpose, len(fresh))]
    db.session.add_all(skipped + fresh)
    if skipped or fresh:
        db.session.flush()  # their ids, for the links
    issue_links.link_all(coalesced + [(email.id, email.context) for email in skipped + fresh])
    return len(coalesced) + len(fresh)


def _pending(keys: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """The newest still-queued email of each key: its id and context."""
    rows = db.session.execute(
        sa.select(OutboxEmail.id, OutboxEmail.coalesce_key, OutboxEmail.context)
        .where(OutboxEmail.coalesce_key.in_(keys), OutboxEmail.status == MailStatus.QUEUED)
        .order_by(OutboxEmail.id.desc()))
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for row_id, key, context in rows:
        found.setdefault(key, (row_id, context))
    return found

