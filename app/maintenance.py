"""`flask maintenance purge`: delete what is no longer needed, in small batches (run it daily from cron or a
systemd timer, next to `issues send-digests`).

- sent outbox rows after MAIL_SENT_RETENTION_DAYS, failed and unknown ones after MAIL_FAILED_RETENTION_DAYS
  (the rolling budget only looks back 24 hours);
- sent account-security emails once a day has passed (their links have expired);
- rate-limit counts (login failures included) older than two days;
- login sessions past SESSION_IDLE_DAYS without use or SESSION_MAX_DAYS since they started;
- error occurrences after ERRORLOG_OCCURRENCE_RETENTION_DAYS (each group keeps its exact count, first sample
  and hourly chart), held-back alert notes after a week.

Each batch is its own short transaction, so no table is locked for long.
"""
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.auth.session import expired as session_expired
from app.extensions import db
from app.models.accounts import LoginSession
from app.models.base import utcnow
from app.models.errors import ErrorAlertHold, ErrorOccurrence
from app.models.limits import RateCount
from app.models.mail import MailStatus, OutboxEmail, Purpose

BATCH = 1000
maintenance_cli = AppGroup("maintenance", help="Housekeeping run from cron.")


def delete_in_batches(table, key: tuple, condition, batch: int = BATCH) -> int:
    """Delete the rows of `table` matching `condition`, `batch` primary keys per transaction; returns how many."""
    deleted = 0
    while True:
        keys = [tuple(row) for row in db.session.execute(sa.select(*key).where(condition).limit(batch))]
        if not keys:
            return deleted
        match = key[0].in_([k[0] for k in keys]) if len(key) == 1 else sa.tuple_(*key).in_(keys)
        deleted += db.session.execute(sa.delete(table).where(match)).rowcount
        db.session.commit()


def rules(now: datetime) -> list[tuple[str, type, tuple, sa.ColumnElement]]:
    """(what, model, primary key columns, which rows go) for every retention rule."""
    config = current_app.config

    def ago(days_setting: str) -> datetime:
        return now - timedelta(days=float(config[days_setting]))

    sent, gone = OutboxEmail.status == MailStatus.SENT, [MailStatus.FAILED, MailStatus.UNKNOWN]
    return [
        ("sent emails", OutboxEmail, (OutboxEmail.id,),
         sa.and_(sent, OutboxEmail.sent_at < ago("MAIL_SENT_RETENTION_DAYS"))),
        # Their links expired after 24 hours; nothing in them is worth keeping.
        ("sent security emails", OutboxEmail, (OutboxEmail.id,), sa.and_(
            sent, OutboxEmail.purpose == Purpose.SECURITY, OutboxEmail.sent_at < now - timedelta(days=1))),
        ("failed emails", OutboxEmail, (OutboxEmail.id,), sa.and_(
            OutboxEmail.status.in_(gone), OutboxEmail.created_at < ago("MAIL_FAILED_RETENTION_DAYS"))),
        ("login sessions", LoginSession, (LoginSession.id,), session_expired(now)),
        ("rate counts", RateCount, (RateCount.key, RateCount.bucket), RateCount.bucket < now - timedelta(days=2)),
        ("error occurrences", ErrorOccurrence, (ErrorOccurrence.id,),
         ErrorOccurrence.created_at < ago("ERRORLOG_OCCURRENCE_RETENTION_DAYS")),
        ("held-back alert notes", ErrorAlertHold, (ErrorAlertHold.id,),
         ErrorAlertHold.created_at < now - timedelta(days=7)),
    ]


def purge(now: datetime | None = None) -> dict[str, int]:
    """Run every retention rule once; returns how many rows each removed."""
    return {name: delete_in_batches(model, key, condition) for name, model, key, condition in rules(now or utcnow())}


@maintenance_cli.command("purge")
def purge_command() -> None:
    """Delete old sent mail, rate counts (login failures too) and error occurrences (see the README)."""
    counts = purge()
    click.echo("purged: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
