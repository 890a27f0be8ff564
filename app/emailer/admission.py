"""The one way emails enter the outbox: `enqueue`, `enqueue_many` and `enqueue_each` all come through `admit`.

In a fixed number of statements, whatever the number of letters: the recipients who turned this kind of mail
off are left out (app/emailer/unsubscribe.py); a hard-bounced address gets a `skipped` row (app/emailer/bounces.py);
a letter with a coalesce key updates the email still queued with it (one read, one guarded UPDATE each); the new
emails count against their cause's cap (app/emailer/causes.py), the rest are held back; the new rows go in
with one INSERT and are linked to the issues their context names (app/emailer/issue_links.py).
"""
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.emailer import bounces, causes, issue_links, unsubscribe
from app.extensions import db
from app.models.base import utcnow
from app.models.deliveries import UndeliverableAddress
from app.models.mail import PRIORITY, MailStatus, OutboxEmail, Purpose

Build = Callable[[str, dict[str, Any] | None], dict[str, Any]]


@dataclass(frozen=True)
class Letter:
    """One email wanted: its address, its context (or None when `build` makes it) and its coalesce key."""

    to: str
    context: dict[str, Any] | None = None
    key: str | None = None


@dataclass(frozen=True)
class Known:
    """What a caller read with its recipients, so `admit` need not read it again: per coalesce key its still-queued
    email (id, context), per lower-cased address its undeliverable mark; None where looked up and absent."""

    pending: dict[str, tuple[int, dict[str, Any]] | None] = field(default_factory=dict)
    bounced: dict[str, UndeliverableAddress | None] = field(default_factory=dict)


def with_known(query: sa.Select, key: sa.ColumnElement, address: sa.ColumnElement) -> sa.Select:
    """`query` (of recipients) with each one's still-queued email of coalesce `key` (id and context) and the
    undeliverable mark of `address`, both None when absent, for `known`. A key with several queued emails gives
    several rows."""
    return (query.add_columns(OutboxEmail.id, OutboxEmail.context, UndeliverableAddress)
            .outerjoin(OutboxEmail, sa.and_(OutboxEmail.coalesce_key == key, OutboxEmail.status == MailStatus.QUEUED))
            .outerjoin(UndeliverableAddress, sa.and_(
                UndeliverableAddress.address == sa.func.lower(sa.func.trim(address)),
                UndeliverableAddress.cleared_at.is_(None))))


def known(rows: Iterable[tuple[str, str, int | None, dict[str, Any] | None, UndeliverableAddress | None]]) -> Known:
    """`Known` from (key, address, queued id, queued context, mark) rows: the newest queued email of each key."""
    found = Known()
    for key, address, row_id, context, mark in rows:
        newest = found.pending.get(key)
        if row_id is not None and (newest is None or row_id > newest[0]):
            found.pending[key] = (row_id, context)
        else:
            found.pending.setdefault(key, None)
        found.bounced[bounces.normal(address)] = mark
    return found


@dataclass
class Admitted:
    """What became of the letters: new rows (as objects when asked for), rows coalesced into, those held back."""

    queued: int = 0
    emails: list[OutboxEmail] = field(default_factory=list)
    coalesced: list[int] = field(default_factory=list)
    held_back: int = 0


def departure(delay: float, send_by: datetime | None) -> datetime:
    """When a new email may leave: `delay` seconds from now, or `send_by` if that is sooner."""
    send_after = utcnow() + timedelta(seconds=delay)
    return min(send_after, send_by) if send_by else send_after


def admit(template: str, letters: Sequence[Letter], *, purpose: Purpose, cause: str | None = None,
          batch: str | None = None, logo: bool = True, delay: float = 0, send_by: datetime | None = None,
          build: Build | None = None, objects: bool = False, known: Known | None = None) -> Admitted:
    """Queue `letters` of `template` in the current session (sent only if the caller commits).

    `build(key, pending)`, when given, makes a letter's context from the context of the email still queued with
    its key (None when there is none). `cause` defaults to the request's account or client address. With
    `objects`, the new rows are ORM objects in `Admitted.emails`; otherwise they go in as one Core INSERT.
    What `known` holds (read with the recipients) is not read again.
    """
    purpose, cause, known = Purpose(purpose), cause or causes.of_request(), known or Known()
    wanted = [letter for _to, letter in unsubscribe.wanted(template, [(letter.to, letter) for letter in letters])]
    if not wanted:
        return Admitted()
    pending = {key: found for key, found in known.pending.items() if found} | _pending(
        [letter.key for letter in wanted if letter.key and letter.key not in known.pending])
    bounced = {address: mark for address, mark in known.bounced.items() if mark} | bounces.blocked(
        letter.to for letter in wanted if bounces.normal(letter.to) not in known.bounced)
    now, send_after = utcnow(), departure(delay, send_by)
    base = {"template": template, "purpose": purpose, "priority": PRIORITY[purpose], "cause": cause, "batch": batch,
            "logo": logo, "attempts": 0, "created_at": now, "last_error": None}
    result, skipped, fresh, links = Admitted(), [], [], []
    # in the order of the queued rows, so two requests coalescing into the same rows lock them in one order
    for letter in sorted(wanted, key=lambda letter: pending.get(letter.key, (0, None))[0]):
        row_id, queued = pending.get(letter.key, (None, None))
        context = build(letter.key, queued) if build else (letter.context or {})
        row = {**base, "to_address": letter.to, "context": context, "coalesce_key": letter.key,
               "status": MailStatus.QUEUED, "send_after": send_after}
        if entry := bounced.get(bounces.normal(letter.to)):
            bounces.count_skip(entry)
            skipped.append({**row, "status": MailStatus.SKIPPED, "send_after": now,
                            "last_error": bounces.why_skipped(entry.reason, entry.bounced_at)})
        elif row_id is not None and coalesce_into(row_id, template, letter.to, context, send_by):
            result.coalesced.append(row_id)
            links.append((row_id, issue_links.issue_ids(context) - issue_links.issue_ids(queued)))
        else:
            fresh.append(row)
    admitted = causes.admit_up_to(cause, purpose, len(fresh), template)
    result.held_back, fresh = len(fresh) - admitted, fresh[:admitted]
    result.queued = len(fresh)
    result.emails = _store(skipped + fresh, objects)
    issue_links.link_all(links + [(email.id, issue_links.issue_ids(email.context)) for email in result.emails
                                  if email.id is not None])
    return result


def _store(rows: list[dict[str, Any]], objects: bool) -> list[OutboxEmail]:
    """Insert `rows`: as ORM objects when asked for or when they must be linked to issues (their ids are needed),
    else with one Core executemany on the session's connection (same transaction, no ORM bookkeeping)."""
    if not rows:
        return []
    if not objects and not any(issue_links.issue_ids(row["context"]) for row in rows):
        db.session.connection().execute(sa.insert(OutboxEmail.__table__), rows)
        return []
    emails = [OutboxEmail(**row) for row in rows]
    db.session.add_all(emails)
    if any(issue_links.issue_ids(email.context) for email in emails):
        db.session.flush()  # their ids, for the links
    return emails


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


def _pending(keys: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """The newest still-queued email of each key: its id and context."""
    if not keys:
        return {}
    rows = db.session.execute(
        sa.select(OutboxEmail.id, OutboxEmail.coalesce_key, OutboxEmail.context)
        .where(OutboxEmail.coalesce_key.in_(keys), OutboxEmail.status == MailStatus.QUEUED)
        .order_by(OutboxEmail.id.desc()))
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for row_id, key, context in rows:
        found.setdefault(key, (row_id, context))
    return found
