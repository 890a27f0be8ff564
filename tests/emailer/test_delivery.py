"""Healthy delivery over real SMTP with AUTH: rendering, headers, the wordmark, one connection per batch."""
from app.models.mail import MailStatus, Purpose


def test_drain_delivers_multipart_with_wordmark_over_one_authenticated_connection(app, smtp_server, runner, queue,
                                                                                  outbox):
    ids = queue(3)
    connections_before = smtp_server.connections
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0, result.output
    assert "3 sent" in result.output
    assert len(smtp_server.messages) == 3
    assert smtp_server.connections - connections_before == 1
    assert smtp_server.logins == ["mailer"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Set your RINAIBRA password"
    assert message["To"] == "user0@example.ac.za"
    assert message["Message-ID"].startswith(f"<outbox-{ids[0]}.")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    assert "http://localhost/password/reset/t0" in text and "Subject:" not in text
    html_part = message.get_body(("html",))
    assert ">RINAIBRA</strong>" in html_part.get_content()  # a text wordmark: an image beside short text is spammy
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]
    rows = outbox()
    assert [row.status for row in rows] == [MailStatus.SENT] * 3
    assert all(row.sent_at and row.lease_owner is None and row.charged_at for row in rows)


def test_no_logo_variant_has_no_image(app, smtp_server, runner, queue):
    queue(1, purpose=Purpose.ALERT, logo=False)
    runner.invoke(args=["mail", "drain"])
    message = smtp_server.messages[0]
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert ">RINAIBRA</strong>" not in message.get_body(("html",)).get_content()
    assert message["X-Rinaibra-Purpose"] == "alert"


def test_alerts_go_before_transactional_before_bulk(app, smtp_server, runner, queue):
    queue(1, purpose=Purpose.BULK, prefix="bulk")
    queue(1, purpose=Purpose.NOTICE, prefix="tx")
    queue(1, purpose=Purpose.ALERT, prefix="alert", logo=False)
    runner.invoke(args=["mail", "drain"])
    assert [m["To"].split("0@")[0] for m in smtp_server.messages] == ["alert", "tx", "bulk"]


def test_drain_with_nothing_queued_sends_nothing(app, smtp_server, runner):
    result = runner.invoke(args=["mail", "drain"])
    assert result.exit_code == 0 and "0 sent" in result.output
    assert smtp_server.messages == []
