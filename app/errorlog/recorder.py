"""record(): the single entry point. It never raises, never re-enters and never touches the caller's session."""
import secrets
import sys
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from app.errorlog import alerts
from app.errorlog.fingerprint import (
    error_type_name,
    fingerprint,
    format_traceback,
    text_of,
    title_for,
)
from app.errorlog.scrub import scrub_text, scrub_value
from app.errorlog.store import Occurrence, store
from app.extensions import db
from app.models.base import utcnow

_recording: ContextVar[bool] = ContextVar("errorlog_recording", default=False)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
TRANSIENT_ERRORS = (1205, 1213)  # MySQL lock wait timeout, deadlock
ATTEMPTS = 3


def new_reference() -> str:
    """A short code a student can read out over the phone, e.g. `K7QM-3XPA`."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def record(source: str, error_or_message: BaseException | str, details: dict | None = None,
           alert: bool = True) -> str | None:
    """Record an error in its group (and maybe queue a throttled alert); returns its reference code.

    Commits in its own session and transaction. Never raises: its own failures go to stderr. A call made
    while a record() is already running in this context (the logger reporting on itself) does nothing.
    """
    if _recording.get():
        return None
    token = _recording.set(True)
    reference = None
    try:
        reference = new_reference()
        app = current_app._get_current_object()
        occurrence = prepare(source, error_or_message, details, reference, app.config)
        if _caller_holds_sqlite_write_lock():
            _write_after_caller_transaction(app, occurrence, alert)
        else:
            write(app, occurrence, alert)
    except RecursionError:
        _to_stderr(source, error_or_message, reference, "RecursionError while recording")
    except Exception as exc:  # noqa: BLE001 - the logger must never break its caller
        _to_stderr(source, error_or_message, reference, exc)
    finally:
        _recording.reset(token)
    return reference


def prepare(source: str, error_or_message: BaseException | str, details: dict | None, reference: str,
            config) -> Occurrence:
    is_error = isinstance(error_or_message, BaseException)
    message = text_of(error_or_message)
    return Occurrence(
        source=str(source)[:120] or "unknown",
        fingerprint=fingerprint(str(source), error_or_message),
        error_type=error_type_name(error_or_message)[:120] if is_error else None,
        title=scrub_text(title_for(error_or_message), config),
        message=scrub_text(message[:4000], config),
        traceback=scrub_text(format_traceback(error_or_message), config) if is_error else None,
        details=scrub_value(details) if details else None,
        reference=reference,
        at=utcnow(),
    )


def write(app: Flask, occurrence: Occurrence, alert: bool) -> None:
    """Store the occurrence (and maybe queue an alert) in a transaction of its own; retried on deadlock."""
    keep = int(app.config["ERRORLOG_OCCURRENCES_PER_GROUP"])
    retention = float(app.config["ERRORLOG_HOURLY_RETENTION_DAYS"])
    for attempt in range(1, ATTEMPTS + 1):
        # A fresh app context gives a fresh db.session: our own connection and transaction, so the
        # caller's (possibly failed) session is untouched and emailer.enqueue() writes into ours.
        with app.app_context():
            session = db.session
            try:
                counted = store(session, occurrence, keep, retention)
                if alert:
                    _alert_apart(session, counted, occurrence, app.config)
                session.commit()
                return
            except sa.exc.OperationalError as exc:
                session.rollback()
                if attempt == ATTEMPTS or not _is_transient(exc):
                    raise


def _caller_holds_sqlite_write_lock() -> bool:
    """True when the caller's session has written in a still-open SQLite transaction: SQLite has one
    writer, so our own connection would wait for the caller, who waits for us."""
    session = db.session()
    if db.engine.dialect.name != "sqlite" or not session.in_transaction():
        return False
    try:
        dbapi_connection = session.connection().connection.dbapi_connection
    except sa.exc.SQLAlchemyError:  # a failed flush: its transaction is already rolled back
        return False
    return bool(getattr(dbapi_connection, "in_transaction", False))


def _write_after_caller_transaction(app: Flask, occurrence: Occurrence, alert: bool) -> None:
    """Store the occurrence as soon as the caller's transaction ends (commit or rollback)."""
    session = db.session()
    pending = [True]

    def on_end(_session, transaction) -> None:
        if transaction.parent is not None or not pending:
            return
        pending.clear()
        token = _recording.set(True)
        try:
            write(app, occurrence, alert)
        except Exception as exc:  # noqa: BLE001
            _to_stderr(occurrence.source, occurrence.title, occurrence.reference, exc)
        finally:
            _recording.reset(token)

    sa.event.listen(session, "after_transaction_end", on_end)


def _alert_apart(session, counted, occurrence: Occurrence, config) -> None:
    """When an alert may be due, consider it in a savepoint: if alerting fails, the occurrence is still
    counted."""
    reason = alerts.alert_reason(counted, int(config["ERRORLOG_SPIKE_PER_HOUR"]))
    sink = current_app.extensions.get("errorlog_alert_sink")
    if reason is None or sink is None:
        return
    try:
        with session.begin_nested():
            alerts.consider_alert(session, counted, occurrence, config, reason, sink)
    except sa.exc.OperationalError:
        raise  # the connection itself is in trouble: let the retry loop decide
    except Exception as exc:  # noqa: BLE001
        _to_stderr(occurrence.source, f"alert skipped: {_describe(exc)}", occurrence.reference,
                   "the alert could not be queued")


def _is_transient(exc: sa.exc.OperationalError) -> bool:
    code = getattr(exc.orig, "args", (None,))[0] if exc.orig is not None else None
    return code in TRANSIENT_ERRORS or "database is locked" in str(exc.orig)


def _to_stderr(source: Any, error_or_message: Any, reference: str | None, problem: BaseException | str) -> None:
    """The logger's own failure: stderr only, with enough of the original error not to lose it."""
    _write(lambda: f"errorlog: could not record error {reference} from {source!s:.120}: {_describe(problem):.500}\n")
    _write(lambda: f"errorlog: original error: {title_for(error_or_message)}\n")
    if isinstance(error_or_message, BaseException):
        _write(lambda: format_traceback(error_or_message, 4000) or "")


def _describe(problem: BaseException | str) -> str:
    return problem if isinstance(problem, str) else f"{type(problem).__name__}: {text_of(problem)}"


def _write(text: Callable[[], str]) -> None:
    """Write one part of a stderr report; a part that cannot be built (a broken __str__) is left out."""
    try:
        sys.stderr.write(text())
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - nothing else left to tell
        pass
