"""The MyISAM mail journal is checked when a mail worker starts: repaired when damaged, or the worker stops
with the command to run. A crashed table is hard to make on purpose: the damaged answers are stubbed (in the
form MariaDB and MySQL give them); the CHECK of a sound table, and the REPAIR, run on the real server."""
import pytest
import sqlalchemy as sa

from app.emailer import journal_check
from app.emailer.journal_check import JournalDamaged, check_journal, problem, settle
from app.extensions import db

TABLE = "test.mail_journal"
SOUND = [(TABLE, "check", "status", "OK")]
CRASHED = [(TABLE, "check", "warning", "Table is marked as crashed"),
           (TABLE, "check", "error", "Size of datafile is: 1024       Should be: 2048"),
           (TABLE, "check", "error", "Corrupt")]
REPAIRED = [(TABLE, "repair", "info", "Number of rows changed from 2 to 1"), (TABLE, "repair", "status", "OK")]


def scripted(answers: dict[str, object]):
    """A statement runner answering each statement's first word (CHECK, REPAIR) from `answers`."""
    seen = []

    def run(statement: str):
        seen.append(statement)
        answer = answers[statement.split()[0]]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return run, seen


def operational_error(code: int, text: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("statement", {}, Exception(code, text))


def test_a_sound_table_is_left_alone():
    run, seen = scripted({"CHECK": SOUND})
    assert settle(run) is None
    assert seen == ["CHECK TABLE mail_journal FAST QUICK"]
    assert problem([(TABLE, "check", "status", "Table is already up to date")]) is None


def test_a_crashed_table_is_repaired_and_said_so():
    run, seen = scripted({"CHECK": CRASHED, "REPAIR": REPAIRED})
    note = settle(run)
    assert seen == ["CHECK TABLE mail_journal FAST QUICK", "REPAIR TABLE mail_journal"]
    assert "marked as crashed" in note and "has been repaired" in note and "rows changed from 2 to 1" in note


def test_a_table_that_cannot_be_opened_is_repaired():
    run, _ = scripted({"CHECK": operational_error(1194, "Table 'mail_journal' is marked as crashed and should be "
                                                        "repaired"), "REPAIR": REPAIRED})
    assert "should be repaired" in settle(run)


@pytest.mark.parametrize("repair", [
    operational_error(1142, "REPAIR command denied to user 'rinaibra'@'localhost' for table 'mail_journal'"),
    [(TABLE, "repair", "error", "Incorrect file format 'mail_journal'"),
     (TABLE, "repair", "status", "Operation failed")],
])
def test_a_table_that_cannot_be_repaired_stops_the_worker_with_the_command_to_run(repair):
    run, _ = scripted({"CHECK": CRASHED, "REPAIR": repair})
    with pytest.raises(JournalDamaged) as failure:
        settle(run)
    message = str(failure.value)
    assert "marked as crashed" in message and "REPAIR TABLE mail_journal;" in message
    assert "mysqlcheck --repair <database> mail_journal" in message


def test_the_worker_and_drain_stop_before_sending_when_the_journal_is_damaged(app, runner, monkeypatch, queue,
                                                                            outbox):
    queue(1)

    def damaged(engine):
        raise JournalDamaged("the mail_journal table is damaged (Corrupt): run `REPAIR TABLE mail_journal;`")

    monkeypatch.setattr(journal_check, "check_journal", damaged)
    for command in ("worker", "drain"):
        result = runner.invoke(args=["mail", command])
        assert result.exit_code == 1 and "REPAIR TABLE mail_journal;" in result.output, result.output
    assert [row.status.value for row in outbox()] == ["queued"]


def test_a_real_check_of_the_sound_table(app):
    """On MariaDB/MySQL a real CHECK TABLE ... FAST QUICK; on SQLite there is nothing to check."""
    with app.app_context():
        assert check_journal(db.engine) is None


def test_a_real_repair_after_a_stubbed_crash(app):
    with app.app_context():
        if db.engine.dialect.name not in ("mysql", "mariadb"):
            pytest.skip("REPAIR TABLE is MySQL/MariaDB's")
        with db.engine.connect() as connection:
            def run(statement: str):
                return CRASHED if statement.startswith("CHECK") else connection.exec_driver_sql(statement).all()

            assert "has been repaired" in settle(run)
            assert problem(connection.exec_driver_sql("CHECK TABLE mail_journal").all()) is None
