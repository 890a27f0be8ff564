"""Unhandled request exceptions: recorded with a scrubbed request, the 500 page shows the reference."""
import re

import pytest
import sqlalchemy as sa

from app.errorlog.scrub import FILTERED, SCRUBBED, scrub_text, scrub_value
from app.extensions import db

REFERENCE = re.compile(r'data-testid="error-reference">([2-9A-Z]{4}-[2-9A-Z]{4})<')


def test_500_page_shows_the_reference_of_the_stored_occurrence(failing_app, client, read):
    response = client.get("/test-explode?page=12&q=ada@example.ac.za", headers={"User-Agent": "Phone/1.0 (Ada's)"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    reference = REFERENCE.search(page).group(1)
    assert "Something went wrong" in page and "RuntimeError" not in page
    group = read.group()
    assert group.source == "web" and group.error_type == "RuntimeError" and group.count == 1
    occurrence = read.occurrences()[0]
    assert occurrence.reference == reference
    assert "Traceback" in occurrence.traceback and "exploded while handling" in occurrence.traceback
    assert occurrence.details["method"] == "GET"
    assert occurrence.details["path"] == "/test-explode"
    assert occurrence.details["args"] == {"page": "12", "q": FILTERED}
    assert occurrence.details["user_id"] is None
    assert "Phone/1.0" not in str(occurrence.details)  # no user agent by default


def test_json_clients_get_the_reference_too(failing_app, client, read):
    response = client.get("/test-explode", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json["reference"] == read.occurrences()[0].reference


def test_the_user_id_is_recorded(failing_app, client, login, student, read):
    login(student)
    assert client.get("/test-explode").status_code == 500
    assert read.occurrences()[0].details["user_id"] == student.id


@pytest.mark.parametrize("app", [{"MAIL_PASSWORD": "hunter2-smtp", "MAIL_USERNAME": "hellorinaibra@gmail.com"}],
                         indirect=True)
def test_secrets_in_the_form_are_never_stored(failing_app, client, read):
    form = {"room": "101", "password": "correct-horse", "new_password": "x-secret-1", "csrf_token": "tok-123",
            "reset_token": "abc", "api_key": "k-999", "mail_password": "hunter2-smtp", "description": "leaky tap"}
    assert client.post("/test-explode", data=form).status_code == 500
    stored = read.occurrences()[0]
    assert stored.details["form"] == {
        "room": FILTERED, "password": SCRUBBED, "new_password": SCRUBBED, "csrf_token": SCRUBBED,
        "reset_token": SCRUBBED, "api_key": SCRUBBED, "mail_password": SCRUBBED, "description": FILTERED}
    with failing_app.app_context():
        dumped = " ".join(str(v) for v in db.session.execute(sa.text("SELECT * FROM error_occurrences")).one())
        dumped += " ".join(str(v) for v in db.session.execute(sa.text("SELECT * FROM error_groups")).one())
    for secret in ("correct-horse", "x-secret-1", "tok-123", "k-999", "hunter2-smtp"):
        assert secret not in dumped


def test_scrub_text_removes_configured_credentials_and_url_passwords():
    config = {"MAIL_PASSWORD": "hunter2-smtp", "MAIL_USERNAME": "hellorinaibra@gmail.com"}
    text = ("(535, b'5.7.8 Username and Password not accepted for hellorinaibra@gmail.com / hunter2-smtp') "
            "while using mysql+pymysql://rinaibra:db-pass@db.internal/rinaibra")
    cleaned = scrub_text(text, config)
    assert "hunter2-smtp" not in cleaned and "hellorinaibra@gmail.com" not in cleaned and "db-pass" not in cleaned
    assert "mysql+pymysql://[scrubbed]@db.internal/rinaibra" in cleaned


def test_scrub_value_walks_nested_details():
    details = {"outbox_id": 4, "smtp": {"password": "p", "Authorization": "Bearer x", "host": "smtp.example"},
               "items": [{"token": "t"}], "author": "Sam"}
    assert scrub_value(details) == {"outbox_id": 4, "smtp": {"password": SCRUBBED, "Authorization": SCRUBBED,
                                                             "host": "smtp.example"},
                                    "items": [{"token": SCRUBBED}], "author": "Sam"}


def test_the_database_going_away_during_record_still_answers_the_request(failing_app, client, read, capfd):
    """The connection dies under record(): the student still gets the 500 page with a reference, the
    error goes to stderr, and the next request and the next record work again."""
    engine_holder = {}
    with failing_app.app_context():
        engine_holder["engine"] = db.engine
    engine = engine_holder["engine"]

    def pull_the_plug(conn, cursor, statement, parameters, context, executemany):
        if "error_groups" in statement:
            conn.connection.dbapi_connection.close()  # the database went away under our feet

    sa.event.listen(engine, "before_cursor_execute", pull_the_plug)
    try:
        response = client.get("/test-explode")
    finally:
        sa.event.remove(engine, "before_cursor_execute", pull_the_plug)
    assert response.status_code == 500
    reference = REFERENCE.search(response.get_data(as_text=True)).group(1)
    err = capfd.readouterr().err
    assert f"errorlog: could not record error {reference} from web" in err
    assert "RuntimeError: exploded while handling nothing" in err
    assert read.groups() == []

    assert client.get("/").status_code == 200
    assert client.get("/test-explode").status_code == 500
    assert read.group().count == 1


def test_a_token_in_the_path_is_never_stored(failing_app, client, read):
    """/password/reset/<token> and /welcome/<token> carry the secret in the URL itself."""
    def explode_with_token(token):
        raise RuntimeError("the reset page failed")

    failing_app.add_url_rule("/test-reset/<token>", "test_reset", explode_with_token)
    secret = "IjQ2Ig.Zt3xyA.reset-me-9f8e7d"
    assert client.get(f"/test-reset/{secret}").status_code == 500
    details = read.occurrences()[0].details
    assert details["path"] == "/test-reset/[scrubbed]"
    assert secret not in str(details) and secret not in str(read.group().sample_details)


def test_an_error_whose_str_fails_is_still_recorded(app, read, capfd):
    from app.errorlog import record
    from tests.errorlog.conftest import raised

    class Unprintable(Exception):
        def __str__(self):
            raise ValueError("no text for you")

    with app.app_context():
        assert record("web", raised(Unprintable())) is not None
    group = read.group()
    assert group.title == "Unprintable: <Unprintable: str() failed>" and group.count == 1
    assert "could not record" not in capfd.readouterr().err


def test_the_loggers_own_failure_report_survives_a_broken_str(app, read, capfd, monkeypatch):
    """The logger itself fails with an exception that cannot even be printed: record() still returns and
    stderr still gets the reference."""
    import app.errorlog.recorder as recorder
    from app.errorlog import record

    class Unprintable(Exception):
        def __str__(self):
            raise ValueError("no text for you")

    def broken_prepare(*args):
        raise Unprintable()

    monkeypatch.setattr(recorder, "prepare", broken_prepare)
    with app.app_context():
        reference = record("cli", "the original problem")
    assert reference is not None and read.groups() == []
    err = capfd.readouterr().err
    assert f"could not record error {reference} from cli: Unprintable: <Unprintable: str() failed>" in err
    assert "original error: the original problem" in err
