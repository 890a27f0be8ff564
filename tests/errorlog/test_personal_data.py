"""No personal data in error records by default: no email addresses, names, free text or user agent."""
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.errorlog.scrub import (
    EMAIL_REDACTED,
    FILTERED,
    SCRUBBED,
    scrub_form,
    scrub_text,
    scrub_value,
)
from app.extensions import db

EMAIL = "thandi.acacia@example.ac.za"


def stored_text(app) -> str:
    """Every stored column of every error row, as one string."""
    with app.app_context():
        rows = [*db.session.execute(sa.text("SELECT * FROM error_occurrences")).all(),
                *db.session.execute(sa.text("SELECT * FROM error_groups")).all()]
    return " ".join(str(value) for row in rows for value in row)


@pytest.fixture
def failing_database(app):
    """The first query of the next request that carries the address fails with its bound parameters in the
    message, as drivers do."""
    with app.app_context():
        engine = db.engine
    fired = []

    def fail_once(conn, cursor, statement, parameters, context, executemany):
        if not fired and "error_" not in statement and EMAIL in str(parameters):
            fired.append(statement)
            raise RuntimeError(f"lost connection while running {statement[:40]} with {parameters}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    sa.event.listen(engine, "before_cursor_execute", fail_once)
    yield fired
    sa.event.remove(engine, "before_cursor_execute", fail_once)


def test_the_email_of_a_failing_login_is_not_stored(app, client, read, failing_database):
    response = client.post("/login", data={"email": EMAIL, "password": "correct-horse-9"},
                           headers={"User-Agent": "Mozilla/5.0 (Thandi's phone)"})
    assert response.status_code == 500 and failing_database  # the login really reached the database
    occurrence = read.occurrences()[0]
    assert occurrence.details["form"] == {"email": FILTERED, "password": SCRUBBED}
    assert occurrence.details["path"] == "/login" and "user_agent" not in occurrence.details
    assert EMAIL_REDACTED in occurrence.message  # the address in the driver's message is gone, the rest is kept
    dumped = stored_text(app)
    for personal in (EMAIL, "thandi", "correct-horse-9", "Thandi's phone"):
        assert personal not in dumped


def test_harmless_fields_are_kept_and_the_rest_filtered():
    form = MultiDict([("status", "in_progress"), ("category", "plumbing"), ("page", "2"), ("issue_id", "7"),
                      ("remove_photo", "3"), ("remove_photo", "4"), ("condition_0", "good"), ("term_1", "y"),
                      ("name", "Thandi Mokoena"), ("email", EMAIL), ("comment", "I am in room 12"), ("q", "Thandi"),
                      ("session_id", "s-1"), ("status_note", "free text"), ("house", EMAIL), ("sort", "x" * 500)])
    assert scrub_form(form) == {
        "status": "in_progress", "category": "plumbing", "page": "2", "issue_id": "7", "remove_photo": ["3", "4"],
        "condition_0": "good", "term_1": "y", "name": FILTERED, "email": FILTERED, "comment": FILTERED,
        "q": FILTERED, "session_id": SCRUBBED, "status_note": FILTERED, "house": FILTERED, "sort": FILTERED}


def test_email_addresses_are_removed_from_messages_and_details():
    text = "IntegrityError: Duplicate entry 'Thandi.Acacia+x@Example.ac.za' for key 'users.email'"
    assert scrub_text(text, {}) == f"IntegrityError: Duplicate entry '{EMAIL_REDACTED}' for key 'users.email'"
    assert scrub_value({"reply": f"550 5.1.1 <{EMAIL}> unknown", "attempt": 2}) == {
        "reply": f"550 5.1.1 <{EMAIL_REDACTED}> unknown", "attempt": 2}
