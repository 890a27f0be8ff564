"""The mail journal table checked when a mail worker starts (MySQL and MariaDB).

`mail_journal` is MyISAM (app/models/mail.py): after the database server is killed the table can be marked
crashed. MariaDB repairs it by itself (aria/myisam recover options on by default); MySQL 8 does not, and a
crashed journal refuses every write, so no mail would go out. The worker therefore checks it
(`CHECK TABLE ... FAST QUICK`: only tables not closed properly are read), repairs it when it can, and otherwise
stops with the command to run.
"""
from collections.abc import Callable, Sequence

import sqlalchemy as sa

TABLE = "mail_journal"
SOUND = {"ok", "table is already up to date"}
REPAIR_BY_HAND = (f"run `REPAIR TABLE {TABLE};` in the application's database as a user allowed to (or "
                  f"`mysqlcheck --repair <database> {TABLE}`), then start the mail worker again")

Run = Callable[[str], Sequence[Sequence]]  # a statement -> its result rows (Table, Op, Msg_type, Msg_text)


class JournalDamaged(RuntimeError):
    """The journal table is damaged and could not be repaired; the message says what to run."""


def problem(rows: Sequence[Sequence]) -> str | None:
    """None when a CHECK or REPAIR TABLE result says the table is sound, else its messages."""
    status = [str(text) for _table, _op, kind, text in rows if str(kind).lower() == "status"]
    if status and status[-1].lower() in SOUND:
        return None
    return "; ".join(f"{kind}: {text}" for _table, _op, kind, text in rows) or "no answer"


def settle(run: Run) -> str | None:
    """Check the table with `run`; repair it when damaged. Returns what was repaired (None: it was sound);
    raises JournalDamaged when the repair is not possible."""
    try:
        found = problem(run(f"CHECK TABLE {TABLE} FAST QUICK"))
    except sa.exc.DBAPIError as exc:  # e.g. 1194: "is marked as crashed and should be repaired"
        found = str(exc.orig)
    if found is None:
        return None
    try:
        result = run(f"REPAIR TABLE {TABLE}")
    except sa.exc.DBAPIError as exc:
        raise JournalDamaged(f"the {TABLE} table is damaged ({found}) and REPAIR TABLE failed ({exc.orig}): "
                             f"{REPAIR_BY_HAND}") from exc
    if left := problem(result):
        raise JournalDamaged(f"the {TABLE} table is damaged ({found}) and REPAIR TABLE did not fix it ({left}): "
                             f"{REPAIR_BY_HAND}")
    notes = "; ".join(str(text) for _table, _op, kind, text in result if str(kind).lower() != "status")
    return f"the {TABLE} table was damaged ({found}) and has been repaired" + (f" ({notes})" if notes else "")


def check_journal(engine: sa.Engine) -> str | None:
    """`settle` on the app's database (nothing to check on SQLite)."""
    if engine.dialect.name not in ("mysql", "mariadb"):
        return None
    with engine.connect() as connection:
        return settle(lambda statement: connection.exec_driver_sql(statement).all())
