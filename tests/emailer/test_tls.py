"""STARTTLS and implicit TLS (SMTPS) with certificate checking, against aiosmtpd with a throwaway certificate."""
import subprocess

import pytest

from app.models.mail import MailStatus
from tests.fixtures.smtp import SMTPTestServer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_modes_deliver_with_a_verified_certificate(app, certificate, queue, outbox, drain, mode):
    server = SMTPTestServer(tls=mode, certificate=certificate).start()
    try:
        app.config.update(server.config(), MAIL_CA_FILE=certificate[0])
        queue(2)
        drain()
    finally:
        server.stop()
    assert [env.tls for env in server.envelopes] == [True, True]
    assert server.logins == ["mailer"]
    assert [row.status for row in outbox()] == [MailStatus.SENT] * 2


def test_untrusted_certificate_is_refused_and_retried_later(app, certificate, queue, outbox, drain):
    server = SMTPTestServer(tls="starttls", certificate=certificate).start()
    try:
        app.config.update(server.config())  # no MAIL_CA_FILE: the system CAs do not know this certificate
        queue(1)
        drain()
    finally:
        server.stop()
    assert server.messages == []
    row = outbox()[0]
    assert row.status == MailStatus.QUEUED and row.attempts == 1 and "CERTIFICATE_VERIFY_FAILED" in row.last_error
