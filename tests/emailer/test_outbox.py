"""Queueing: in the caller's transaction, coalescing, bulk insert, safe headers."""
import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from app.emailer import enqueue, enqueue_many
from app.extensions import db
from app.models.accounts import User
from app.models.mail import MailStatus, OutboxEmail, Purpose


def test_rolled_back_business_transaction_leaves_no_email(app, outbox):
    with app.app_context():
        db.session.add(User(email="new@example.ac.za", name="New"))
        enqueue("password_reset", "new@example.ac.za", {"name": "New", "link": "http://x/y"})
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert outbox() == []


def test_coalescing_updates_the_queued_email(app, smtp_server, outbox, drain):
    with app.app_context():
        first = enqueue("password_reset", "a@example.ac.za", {"name": "A", "link": "http://x/in-progress"},
                        coalesce_key="issue:1:user:1")
        db.session.commit()
        second = enqueue("password_reset", "a@example.ac.za", {"name": "A", "link": "http://x/resolved"},
                         coalesce_key="issue:1:user:1")
        other = enqueue("password_reset", "a@example.ac.za", {"name": "A", "link": "http://x/other"},
                        coalesce_key="issue:2:user:1")
        db.session.commit()
        assert second.id == first.id and other.id != first.id
    assert len(outbox()) == 2
    drain()
    links = sorted(m.get_body(("plain",)).get_content().split("http://x/")[1].split()[0]
                   for m in smtp_server.messages)
    assert links == ["other", "resolved"]
    with app.app_context():  # once sent, the key starts a new email
        third = enqueue("password_reset", "a@example.ac.za", {"name": "A", "link": "http://x/reopened"},
                        coalesce_key="issue:1:user:1")
        db.session.commit()
        assert third.id not in {first.id, other.id}


def test_coalescing_never_touches_a_claimed_email(app, outbox):
    with app.app_context():
        first = enqueue("password_reset", "a@example.ac.za", {"name": "A", "link": "http://x/1"}, coalesce_key="k")
        db.session.commit()
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENDING))
        db.session.commit()
        second = enqueue("password_reset", "a@example.ac.za", {"name": "A", "link": "http://x/2"}, coalesce_key="k")
        db.session.commit()
        assert second.id != first.id
    rows = outbox()
    assert [(r.status, r.context["link"]) for r in rows] == [(MailStatus.SENDING, "http://x/1"),
                                                             (MailStatus.QUEUED, "http://x/2")]


def test_enqueue_many_is_one_bulk_insert_of_bulk_mail(app, outbox):
    with app.app_context():
        count = enqueue_many("password_reset", [(f"s{i}@example.ac.za", {"name": f"S{i}", "link": "http://x"})
                                                for i in range(50)], batch="reminders-1")
        db.session.commit()
    assert count == 50
    rows = outbox()
    assert {(r.purpose, r.status, r.batch, r.priority) for r in rows} == {
        (Purpose.BULK, MailStatus.QUEUED, "reminders-1", 4)}


@pytest.fixture
def injection_template(app):
    app.jinja_env.loader = ChoiceLoader([DictLoader({
        "email/test_inject.txt": "Subject: Hello {{ name }}\n\nBody for {{ name }}",
        "email/test_inject.html": "<p>Body for {{ name }}</p>",
    }), app.jinja_env.loader])


def test_user_data_cannot_inject_headers(app, smtp_server, injection_template, outbox, drain):
    evil = "Eve\r\nBcc: victim@example.com\r\nX-Evil: 1"
    with app.app_context():
        enqueue("test_inject", "eve@example.ac.za", {"name": evil})
        enqueue("test_inject", "eve@example.ac.za\r\nBcc: victim@example.com", {"name": "x"})
        db.session.commit()
    drain()
    assert smtp_server.recipients() == ["eve@example.ac.za"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Hello Eve Bcc: victim@example.com X-Evil: 1"
    assert message["Bcc"] is None and message["X-Evil"] is None
    bad = outbox()[1]
    assert bad.status == MailStatus.FAILED and "bad recipient address" in bad.last_error


def test_missing_template_fails_visibly(app, smtp_server, outbox, drain):
    with app.app_context():
        enqueue("no_such_template", "a@example.ac.za", {})
        db.session.commit()
    drain()
    row = outbox()[0]
    assert row.status == MailStatus.FAILED and "cannot render no_such_template" in row.last_error
    assert row.charged_at is None


def test_non_ascii_subject_and_body_arrive_intact(app, smtp_server, injection_template, drain):
    name = "Zoë Müller-Ndlovu 🏠 " + "long " * 30
    with app.app_context():
        enqueue("test_inject", "zoe@example.ac.za", {"name": name})
        db.session.commit()
    drain()
    message = smtp_server.messages[0]
    assert message["Subject"] == "Hello " + name.strip()
    assert message.get_body(("plain",)).get_content().strip() == "Body for " + name.strip()
    assert message.get_body(("html",)).get_content().strip() == f"<p>Body for {name}</p>"
    assert not message.defects and not any(part.defects for part in message.walk())
