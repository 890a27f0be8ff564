"""Two hosts, one database: two gunicorn servers started from two working directories (each its own instance
folder and upload folder, each on its own loopback address) and a mail worker beside each, all on the test's
database with PHOTO_STORE=database.

- a photo reported through one host is served by the other (both ways), and neither host's folder holds it;
- the reminder button pressed on both hosts at the same moment reaches each student once;
- the daily budget holds across both workers; once the window moves on, the rest leave, still once each;
- /metrics of a host with two gunicorn workers adds up both workers' requests (multiprocess mode).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.extensions import db
from app.models import Role
from app.models.issues import IssuePhoto
from app.models.mail import MailStatus, OutboxEmail, Purpose
from app.models.photos import StoredFile
from tests.conftest import HEALTHZ_TOKEN, MONITOR, PASSWORD, wait_for
from tests.issues.images import image_bytes
from tests.races import race

ROOT = Path(__file__).resolve().parents[2]
BUDGET = {"MAIL_DAILY_LIMIT": "8", "MAIL_SHARE_SECURITY": "0", "MAIL_SHARE_ALERT": "0", "MAIL_SHARE_NOTICE": "0",
          "MAIL_SHARE_URGENT": "0"}  # nothing reserved: 8 reminders a day, across every host and worker
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STUDENTS = 12


def free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


class Host:
    """One machine: gunicorn (two workers) and a mail worker, run from their own working directory."""

    def __init__(self, name: str, address: str, database_url: str, smtp: dict, tmp_path: Path,
                 settings: dict | None = None):
        self.folder = tmp_path / name
        self.folder.mkdir()
        self.port = free_port(address)
        self.url = f"http://{address}:{self.port}"
        self.metrics_dir = self.folder / "prometheus"
        self.metrics_dir.mkdir()
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
                    "INSTANCE_PATH": str(self.folder / "instance"), "SECRET_KEY": "one-key-for-every-host",
                    "ALLOWED_EMAIL_DOMAINS": "example.ac.za", "BASE_URL": self.url, "PHOTO_STORE": "database",
                    "HEALTHZ_TOKEN": HEALTHZ_TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
                    "MAIL_POLL_SECONDS": "0.2", "MAIL_TIMEOUT": "5", "MAIL_USE_TLS": "", "MAIL_USE_SSL": "",
                    **BUDGET, **{key: str(value) for key, value in smtp.items() if key not in ("MAIL_USE_TLS",
                                                                                             "MAIL_USE_SSL")},
                    **(settings or {})}
        self.processes: list[subprocess.Popen] = []
        self.web = self._start([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind",
                                f"{address}:{self.port}", "--log-level", "warning", "wsgi:app"], "web.log")
        self.worker = self._start([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker"], "worker.log")

    def _start(self, args: list[str], log: str) -> subprocess.Popen:
        output = (self.folder / log).open("w")
        process = subprocess.Popen(args, cwd=self.folder, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.folder.glob("*.log")))

    def wait_until_up(self) -> None:
        def up() -> bool:
            assert self.web.poll() is None and self.worker.poll() is None, self.logs()
            try:
                return requests.get(self.url + "/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, timeout=60)

    def uploads(self) -> list[str]:
        uploads = self.folder / "instance" / "uploads"
        return [str(p) for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []

    def stop(self) -> None:
        for process in self.processes:  # gunicorn: quick shutdown; the mail worker: finish the message in hand
            if process.poll() is None:
                process.send_signal(signal.SIGINT if process is self.web else signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


class Browser:
    """A signed-in requests session on one host, knowing its CSRF token."""

    def __init__(self, host: Host, email: str):
        self.base, self.session = host.url, requests.Session()
        self.token = self._token("/login")
        response = self.session.post(self.base + "/login", data={"csrf_token": self.token, "email": email,
                                                                 "password": PASSWORD}, allow_redirects=False)
        assert response.status_code == 302, response.text[:500]
        self.token = self._token("/")

    def _token(self, path: str) -> str:
        return CSRF_RE.search(self.session.get(self.base + path, timeout=30).text)[1]

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        return self.session.post(self.base + path, data={"csrf_token": self.token, **data}, timeout=60,
                                 allow_redirects=False, **kwargs)


@pytest.fixture
def two_hosts(app, database_url, smtp_server, tmp_path):
    hosts = [Host("host-a", "127.0.0.2", database_url, smtp_server.config(), tmp_path),
             Host("host-b", "127.0.0.3", database_url, smtp_server.config(), tmp_path)]
    try:
        for host in hosts:
            host.wait_until_up()
        yield hosts
    finally:
        for host in hosts:
            host.stop()


def report_with_photo(browser: Browser, title: str, photo: bytes) -> int:
    response = browser.post("/issues/new", {"category": "plumbing", "location": "room", "title": title,
                                            "description": "Water on the floor under the basin.",
                                            "urgency": "normal"},
                            files={"photos": ("basin.jpg", photo, "image/jpeg")})
    assert response.status_code == 302, response.text[:2000]
    return int(re.search(r"/issues/(\d+)$", response.headers["Location"])[1])


def photo_of(app, issue_id: int) -> tuple[str, str, int]:
    with app.app_context():
        photo = db.session.scalars(sa.select(IssuePhoto).where(IssuePhoto.issue_id == issue_id)).one()
        assert db.session.get(StoredFile, photo.key) is not None
        return f"/issues/{issue_id}/photos/{photo.id}", photo.key, photo.size


def mail_rows(app) -> list[OutboxEmail]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.purpose == Purpose.BULK)))
        db.session.expunge_all()
        return rows


def reminders_received(smtp_server) -> Counter:
    return Counter(m["To"] for m in smtp_server.messages if m["Subject"].startswith("Please complete"))


def scrape(host: Host) -> dict:
    text = requests.get(host.url + "/metrics", headers=MONITOR, timeout=30).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_two_hosts_share_photos_reminders_and_budget(app, make_user, house, smtp_server, two_hosts):
    host_a, host_b = two_hosts
    students = [make_user(Role.STUDENT, house=house, room=str(101 + i % 10), email=f"s{i}@example.ac.za")
                for i in range(STUDENTS)]
    admins = [make_user(Role.ADMIN, admin_of=[house], email=f"admin{i}@example.ac.za") for i in range(2)]

    # A photo reported through one host is served by the other, both ways; it is on neither host's disk.
    for n, (upload, view) in enumerate(((host_a, host_b), (host_b, host_a))):
        photo = image_bytes("JPEG", size=(900, 700), color=(20 + 100 * n, 90, 200))
        issue_id = report_with_photo(Browser(upload, students[0].email), f"Leaking basin {n}", photo)
        url, _key, size = photo_of(app, issue_id)
        for who in (students[0].email, admins[0].email):
            served = Browser(view, who).get(url)
            assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
            assert len(served.content) == size == int(served.headers["Content-Length"])
            assert served.content == Browser(upload, who).get(url).content
    assert host_a.uploads() == [] and host_b.uploads() == []

    # The reminder button pressed on both hosts at the same moment: one batch, one email per student.
    presses = [Browser(host, admin.email) for host, admin in zip(two_hosts, admins, strict=True)]
    answers = [r.json() for r in race((partial(browser.post, "/admin/move-in/reminders", {"house": house.slug},
                                               headers={"Accept": "application/json"}) for browser in presses),
                                      timeout=60)]
    assert sorted(answer["queued"] for answer in answers) == [0, STUDENTS], answers
    assert sorted(answer["skipped"] for answer in answers) == [0, STUDENTS], answers

    # Both workers deliver, within the day's budget of 8 across both hosts.
    wait_for(lambda: sum(reminders_received(smtp_server).values()) >= 8, timeout=60)
    time.sleep(2)  # ten more polls of each worker: nothing more may leave today
    received = reminders_received(smtp_server)
    assert sum(received.values()) == 8 and max(received.values()) == 1, received
    assert Counter(row.status for row in mail_rows(app)) == {MailStatus.SENT: 8, MailStatus.QUEUED: STUDENTS - 8}

    # The rolling window moves on: the other four leave, and every student got exactly one reminder.
    with app.app_context():
        for row in db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.charged_at.is_not(None))):
            row.charged_at -= timedelta(hours=25)
        db.session.commit()
    wait_for(lambda: sum(reminders_received(smtp_server).values()) >= STUDENTS, timeout=60)
    time.sleep(1)
    received = reminders_received(smtp_server)
    assert received == Counter({student.email: 1 for student in students}), received
    assert all(host.worker.poll() is None for host in two_hosts)
    metrics_add_up_every_gunicorn_worker(host_b)


def metrics_add_up_every_gunicorn_worker(host: Host) -> None:
    """(Part of the test above, to start the servers once.) Requests spread over both gunicorn workers all
    count in one scrape."""
    key = ("rinaibra_request_duration_seconds_count", (("method", "GET"), ("route", "main.index"), ("status", "2xx")))
    before = scrape(host).get(key, 0)
    for _ in range(20):
        assert requests.get(host.url + "/", timeout=30).status_code == 200  # a new connection each time
    assert scrape(host)[key] == before + 20
    assert len(list(host.metrics_dir.glob("histogram_*.db"))) >= 1
