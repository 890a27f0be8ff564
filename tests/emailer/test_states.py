"""The state machine in app/emailer/states.py covers every status and journal state, and every change real
deliveries make (database triggers log each change while a worker meets accepting, refusing and dropping
servers, a developer decides on an `unknown` row, and a dead worker's rows are settled)."""
import pytest
import sqlalchemy as sa

from app.emailer import states
from app.emailer.claims import claim_batch
from app.emailer.unknown import Decision, decide
from app.extensions import db
from app.models.mail import JournalState, MailJournal, MailStatus
from tests.emailer.test_exactly_once import run_out_leases

WATCHED = {"outbox": ("status", states.NEW, states.GONE), "mail_journal": ("state", states.NONE, states.NONE)}


def test_every_status_and_journal_state_is_in_the_table():
    assert set(states.OUTBOX) == {status.value for status in MailStatus} | {states.NEW}
    assert set(states.JOURNAL) == {state.value for state in JournalState} | {states.NONE}
    reachable, todo = set(), [states.NEW]
    while todo:
        for status in states.OUTBOX.get(todo.pop(), set()) - reachable:
            reachable.add(status)
            todo.append(status)
    assert reachable == {status.value for status in MailStatus} | {states.GONE}


def triggers(dialect: str) -> list[str]:
    """Statements creating a trigger per table and event that logs (table, old, new) into `state_log`."""
    made = []
    for table, (column, new, gone) in WATCHED.items():
        for event, old, now in (("INSERT", f"'{new}'", f"NEW.{column}"),
                                ("UPDATE", f"OLD.{column}", f"NEW.{column}"),
                                ("DELETE", f"OLD.{column}", f"'{gone}'")):
            insert = f"INSERT INTO state_log (tbl, old, new) VALUES ('{table}', {old}, {now})"
            body = f"BEGIN {insert}; END" if dialect == "sqlite" else insert
            made.append(f"CREATE TRIGGER log_{table}_{event.lower()} AFTER {event} ON {table} FOR EACH ROW {body}")
    return made


@pytest.fixture
def state_log(app):
    """state_log() -> every (table, old, new) change logged since the test began."""
    with app.app_context():
        engine = db.engine
    names = [f"log_{table}_{event}" for table in WATCHED for event in ("insert", "update", "delete")]
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE state_log (tbl VARCHAR(20), old VARCHAR(20), new VARCHAR(20))")
        for statement in triggers(engine.dialect.name):
            connection.exec_driver_sql(statement)

    def read() -> list[tuple[str, str, str]]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql("SELECT tbl, old, new FROM state_log")]

    yield read
    with engine.begin() as connection:
        for name in names:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql("DROP TABLE state_log")


def test_real_deliveries_change_states_only_as_the_table_says(app, smtp_server, queue, drain, state_log):
    app.config.update(MAIL_BATCH_SIZE=2)
    queue(3, prefix="first")
    queue(2, prefix="first")  # first0 and first1 twice: the second to first1 is skipped once it bounces
    smtp_server.refuse("first1@example.ac.za")
    drain()  # sent, failed (bounced), skipped
    queue(3, prefix="second")
    smtp_server.behave("drop_after_data")
    drain()  # unknown (each the first of a batch, the rest given back)
    with app.app_context():
        assert decide(Decision.RESEND, "dev@example.ac.za", ids=[row_id for row_id, in db.session.execute(
            sa.text("SELECT id FROM outbox WHERE status = 'unknown'"))]) >= 1
    smtp_server.behave("accept")
    drain()
    dead = queue(3, prefix="third")
    with app.app_context():  # a worker that died: one row accepted, one in flight, one never started
        claim_batch("dead-worker", 3)
        db.session.add_all([MailJournal(outbox_id=row_id, owner="dead-worker", state=JournalState.FLIGHT)
                            for row_id in dead[:2]])
        db.session.commit()
        db.session.execute(sa.update(MailJournal).where(MailJournal.outbox_id == dead[0])
                           .values(state=JournalState.SENT))
        db.session.commit()
    run_out_leases(app)
    drain()
    changes = state_log()
    outbox_moves = {(old, new) for table, old, new in changes if table == "outbox" and old != new}
    journal_moves = {(old, new) for table, old, new in changes if table == "mail_journal" and old != new}
    assert all(states.allowed(old, new) for old, new in outbox_moves), outbox_moves
    assert all(states.allowed(old, new, states.JOURNAL) for old, new in journal_moves), journal_moves
    assert {("new", "queued"), ("queued", "sending"), ("sending", "sent"), ("sending", "failed"),
            ("queued", "skipped"), ("sending", "unknown"), ("sending", "queued"), ("unknown", "queued")} <= \
        outbox_moves
    assert {("none", "flight"), ("flight", "sent"), ("sent", "none")} <= journal_moves
