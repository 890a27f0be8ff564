"""Emails written when they leave: a delayed notice re-reads what it tells of as the worker sends it.

Some emails wait minutes in the queue (new-issue notices to admins, job emails to staff) while what they describe
changes. A template may have a refresher, handed in by the package that queues it (`register`, at start-up, as
the error logger's alert sink is: the emailer imports no blueprint). The worker calls `refresh(row)` just before
building the message: the refresher gets the queued context and a session of its own (a fresh read, closed
before SMTP talks, so the worker's session and its locks are untouched) and returns the context to send, or
raises `Withdrawn` when the email no longer says anything new: the row is then failed with a "withdrawn:" reason
and its budget slot refunded, never sent.

Exactly-once delivery does not change: the row, its lease and the mail journal are the same, only the text is
read later. The Message-ID stays per row. A refresher that breaks sends the queued text (and is recorded);
database trouble gives the row back like any other (the caller catches DB_TROUBLE).
"""
import dataclasses
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.emailer.claims import Claimed
from app.emailer.journal import DB_TROUBLE
from app.extensions import db

Refresher = Callable[[dict[str, Any], str, Session], dict[str, Any]]
_refreshers: dict[str, Refresher] = {}
WITHDRAWN = "withdrawn: "  # the start of last_error on a row the worker withdrew


class Withdrawn(Exception):
    """The email has nothing left to say; str() is why (kept as the row's last_error)."""


def register(template: str, refresher: Refresher) -> None:
    """`refresher(context, to_address, session)` gives the context to send for `template`, or raises Withdrawn."""
    _refreshers[template] = refresher


def refreshes(template: str) -> bool:
    return template in _refreshers


def refresh(row: Claimed, note: Callable[[str, dict], None]) -> Claimed:
    """`row` with its context as of now (the same row when its template has no refresher). Raises Withdrawn,
    or DB_TROUBLE when the database does not answer; a refresher's own failure goes to `note` (the error log,
    after the batch's next write) and the queued context is sent."""
    refresher = _refreshers.get(row.template)
    if refresher is None:
        return row
    try:
        with force_locale(row.language or current_app.config["BABEL_DEFAULT_LOCALE"]), Session(db.engine) as session:
            context = refresher(dict(row.context or {}), row.to_address, session)  # in the recipient's language
    except (Withdrawn, *DB_TROUBLE):
        raise
    except Exception as exc:  # noqa: BLE001 - a broken refresher must not stop the email: the queued text goes
        note(f"refreshing {row.template} failed, the queued text was sent: {exc!r}",
             {"outbox_id": row.id, "template": row.template})
        return row
    return dataclasses.replace(row, context=context)
