"""Hard bounces: a permanent 5.1.x refusal at RCPT marks the address undeliverable; later mail to it is skipped
and counted; other refusals (4xx, policy, size, full mailbox) suppress nothing."""
import pytest
import sqlalchemy as sa

from app.emailer import enqueue, enqueue_many, mail_health
from app.emailer.transport import Action, Reply, classify, hard_bounce
from app.extensions import db
from app.models.deliveries import UndeliverableAddress
from app.models.mail import MailStatus, OutboxEmail, Purpose
from tests.conftest import HEALTHZ_TOKEN

GONE = "gone@example.ac.za"
CONTEXT = {"name": "Someone", "link": "http://localhost/password/reset/x"}


def flags(app) -> dict[str, UndeliverableAddress]:
    with app.app_context():
        found = {row.address: row for row in db.session.scalars(sa.select(UndeliverableAddress))}
        db.session.expunge_all()
        return found


def send(app, *addresses: str, **options) -> list:
    with app.app_context():
        rows = [enqueue("password_reset", address, CONTEXT, **options) for address in addresses]
        db.session.commit()
        return [row.id if row is not None else None for row in rows]


def statuses(outbox) -> list[tuple[str, str]]:
    return [(row.to_address, row.status.value) for row in outbox()]


@pytest.mark.parametrize("reply, bounce", [
    (Reply(550, "5.1.1 The email account that you tried to reach does not exist.", "rcpt"), True),
    (Reply(550, "5.1.10 Recipient address has null MX", "rcpt"), True),
    (Reply(553, "5.1.3 Bad recipient address syntax", "rcpt"), True),
    (Reply(550, "No such user here", "rcpt"), True),  # a server without enhanced codes
    (Reply(550, "5.1.1 user unknown", "mail"), False),  # not at RCPT
    (Reply(550, "5.1.1 user unknown", "data"), False),
    (Reply(550, "5.7.1 Message rejected as spam", "rcpt"), False),
    (Reply(550, "5.7.1 Sender rejected by policy", "mail"), False),
    (Reply(552, "5.3.4 Message size exceeds fixed limit", "data"), False),
    (Reply(552, "5.2.2 Mailbox full", "rcpt"), False),
    (Reply(553, "5.1.8 Sender address domain does not exist", "rcpt"), False),  # about the sender
    (Reply(550, "Relaying denied", "rcpt"), False),
    (Reply(450, "4.1.1 Recipient address rejected: try again", "rcpt"), False),
    (Reply(550, "5.1.1 user unknown"), False),  # no stage known (a connect failure)
])
def test_only_a_permanent_recipient_refusal_at_rcpt_is_a_hard_bounce(reply, bounce):
    assert hard_bounce(reply) is bounce
    assert (classify(reply) == Action.BOUNCE) is bounce


def test_a_hard_bounce_marks_the_address_and_later_mail_to_it_is_skipped_and_counted(
        app, smtp_server, drain, outbox, login, developer, client):
    smtp_server.refuse(GONE)
    send(app, "first@example.ac.za", GONE, "second@example.ac.za")
    drain()
    assert sorted(smtp_server.recipients()) == ["first@example.ac.za", "second@example.ac.za"]  # same batch
    assert statuses(outbox)[1] == (GONE, "failed")
    flag = flags(app)[GONE]
    assert flag.reason.startswith("550 5.1.1") and flag.cleared_at is None and flag.skipped == 0

    assert [row_id is None for row_id in send(app, GONE.upper(), "third@example.ac.za")] == [True, False]
    rows = outbox()
    assert (rows[-2].to_address, rows[-2].status) == (GONE.upper(), MailStatus.SKIPPED)
    assert "the address bounced" in rows[-2].last_error and "5.1.1" in rows[-2].last_error
    drain()
    assert smtp_server.recipients()[-1] == "third@example.ac.za" and len(smtp_server.recipients()) == 3
    assert flags(app)[GONE].skipped == 1
    with app.app_context():
        health = mail_health()
    assert health["undeliverable"] == {"addresses": 1, "skipped": 1}
    assert health["by_status"]["skipped"] == 1
    body = client.get("/healthz", headers={"X-Healthz-Token": HEALTHZ_TOKEN}).get_json()
    assert body["mail"]["undeliverable"] == {"addresses": 1, "skipped": 1}
    page = login(developer).get("/dev/mail").get_data(as_text=True)
    assert 'id="undeliverable">1 ' in page and "1 email skipped" in page


def test_mail_already_queued_for_a_bouncing_address_is_skipped_with_the_outcome(app, smtp_server, drain, outbox):
    smtp_server.refuse(GONE)
    send(app, GONE)
    send(app, GONE, delay=3600)  # queued, not yet due
    drain()
    assert statuses(outbox) == [(GONE, "failed"), (GONE, "skipped")]
    assert flags(app)[GONE].skipped == 1
    assert len(smtp_server.envelopes) == 0


def test_bulk_mail_leaves_out_bouncing_addresses(app, smtp_server, drain, outbox):
    smtp_server.refuse(GONE)
    send(app, GONE)
    drain()
    with app.app_context():
        queued = enqueue_many("password_reset", [(GONE, CONTEXT), ("ok@example.ac.za", CONTEXT)],
                              purpose=Purpose.BULK)
        db.session.commit()
    assert queued == 1
    assert statuses(outbox)[1:] == [(GONE, "skipped"), ("ok@example.ac.za", "queued")]
    assert flags(app)[GONE].skipped == 1


@pytest.mark.parametrize("reply", [
    "451 4.3.0 Mail server temporarily rejected message.",
    "550 5.7.1 Message rejected by policy.",
    "552 5.3.4 Message size exceeds fixed maximum message size.",
    "552 5.2.2 The email account that you tried to reach is over quota.",
])
def test_other_refusals_suppress_nothing(app, smtp_server, drain, outbox, reply):
    smtp_server.refuse(GONE, reply)
    send(app, GONE)
    drain()
    assert statuses(outbox) == [(GONE, "queued" if reply.startswith("4") else "failed")]
    assert flags(app) == {}
    smtp_server.handler.refused.clear()
    with app.app_context():
        db.session.execute(sa.update(OutboxEmail).values(send_after=OutboxEmail.created_at))
        db.session.commit()
    send(app, GONE)
    drain()
    assert smtp_server.recipients().count(GONE) == (2 if reply.startswith("4") else 1)


def test_a_policy_refusal_of_the_message_body_suppresses_nothing(app, smtp_server, drain, outbox, monkeypatch):
    async def refuse_body(server, session, envelope):
        return "550 5.7.1 Message content rejected"

    monkeypatch.setattr(smtp_server.handler, "handle_DATA", refuse_body)
    send(app, GONE)
    drain()
    assert statuses(outbox) == [(GONE, "failed")]
    assert flags(app) == {}
