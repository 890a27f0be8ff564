"""The local mail catcher: keeps what it accepts, answers 550 5.4.5 past --daily-limit like Gmail."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.emailer.catcher import list_caught, read_caught, start_catcher
from app.models.mail import MailStatus
from tests.fixtures.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_catcher_keeps_messages_and_enforces_daily_limit(app, tmp_path, queue, outbox, drain, mail_state):
    port = free_port()
    catcher = start_catcher(tmp_path / "caught", port=port, daily_limit=2)
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USERNAME="any", MAIL_PASSWORD="thing")
        queue(3)
        drain()
    finally:
        catcher.stop()
    caught = list_caught(tmp_path / "caught")
    assert len(caught) == 2
    assert {item["to"] for item in caught} == {"user0@example.ac.za", "user1@example.ac.za"}
    assert caught[0]["subject"] == "Set your RINAIBRA password"
    message = read_caught(tmp_path / "caught", caught[0]["name"])
    assert message["X-Envelope-To"] == caught[0]["to"]
    assert read_caught(tmp_path / "caught", "../../etc/passwd") is None
    third = outbox()[2]
    assert third.status == MailStatus.QUEUED and third.attempts == 0
    state = mail_state()
    assert "550 5.4.5 Daily user sending limit exceeded" in state.paused_reason


def test_catcher_command_runs_until_sigterm(app, tmp_path, queue, drain):
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"), "APP_ENV": "development"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "catcher", "--port",
                                str(port), "--daily-limit", "5"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "instance" / "mail").is_dir():
            assert time.monotonic() < deadline and process.poll() is None, process.stdout.read()
            time.sleep(0.05)
        time.sleep(0.3)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        queue(2)
        assert "2 sent" in drain()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0]
    assert process.returncode == 0, output
    assert "daily limit 5" in output
    assert len(list((tmp_path / "instance" / "mail").glob("*.eml"))) == 2
