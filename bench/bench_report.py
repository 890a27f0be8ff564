"""POST /issues/new under gunicorn on MariaDB while a mail worker delivers to a healthy SMTP server, then to a
black-holed one (it accepts the connection and never answers), in alternating rounds of the same run.
Each phase starts with a backlog of queued notices (new-issue emails to an admin are gathered into one, so
reports alone would leave the worker idle): the worker is busy in both phases. Limit: p99 ratio 1.2.

Run: .venv/bin/python -m bench.bench_report   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server)
"""
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench.harness import ROOT, Client, Server, fresh_database, measure, percentile, print_latencies, report, sized

PASSWORD = "bench-password-1"
STUDENTS = 4
ROUNDS = sized(3, 2)
REQUESTS_PER_ROUND = sized(150, 100)
CONCURRENCY = 4
LIMIT = 1.2


class BlackHole:
    """An asyncio TCP server that accepts connections and never says a word."""

    def __init__(self):
        self.port = 0
        self.connections = 0
        self._ready = threading.Event()
        threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True).start()
        self._ready.wait(5)

    async def _serve(self):
        async def hold(reader, writer):
            self.connections += 1
            await reader.read()  # until the client gives up; we never write
            writer.close()

        server = await asyncio.start_server(hold, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await server.serve_forever()


class MailWorker:
    """`flask mail worker` in its own process, pointed at one SMTP port (context manager)."""

    def __init__(self, server: Server, smtp_port: int):
        self.env = {**server.env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_TIMEOUT": "10",
                    "MAIL_DAILY_LIMIT": "1000000"}
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker"],
                                        cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        time.sleep(1.5)  # let it start polling
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:  # stuck in a black-holed connect: no need to wait for its timeout
            self.process.kill()
            self.process.wait()


def seed(app, students: int = STUDENTS) -> None:
    from app.extensions import db
    from app.house_setup import create_house, parse_rooms
    from app.models.accounts import Role, User

    with app.app_context():
        house = create_house("Bench House", "bench", parse_rooms("1-20"), ["Kitchen", "Laundry"])
        db.session.flush()
        hashed = generate_password_hash(PASSWORD)
        admin = User(email="admin@example.ac.za", name="Admin", role=Role.ADMIN, password_hash=hashed)
        admin.admin_houses = [house]
        db.session.add(admin)
        for i in range(students):
            db.session.add(User(email=f"student{i}@example.ac.za", name=f"Student {i}", role=Role.STUDENT,
                                house=house, room=house.rooms[i], password_hash=hashed))
        db.session.commit()


def main() -> int:
    black_hole = BlackHole()
    mail_dir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    from app.emailer.catcher import start_catcher
    from bench.harness import free_port

    healthy_port = free_port()
    catcher = start_catcher(mail_dir, "127.0.0.1", healthy_port)
    form = {"category": "plumbing", "location": "room", "title": "Tap drips", "urgency": "normal",
            "description": "The bathroom tap drips all night long."}
    with fresh_database("report") as (url, app):
        seed(app)
        # Every report queues its new-issue email at once, and no limit refuses: the worker stays busy.
        env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9", "ISSUE_NEW_MAIL_DELAY": "0", "MAIL_DAILY_LIMIT": "1000000",
               "ISSUE_REPORTS_PER_HOUR": "1000000", "ISSUE_REPORTS_PER_DAY": "1000000"}
        with Server(url, workers=2, threads=4, env=env) as server:
            clients = [Client(server).login(f"student{i}@example.ac.za", PASSWORD) for i in range(STUDENTS)]
            for client in clients:
                client.csrf("/issues/new")
            turn = iter(range(10**9))

            def post_report():
                return clients[next(turn) % STUDENTS].post("/issues/new", data=form)

            measure(post_report, 20, CONCURRENCY)  # warm up
            latencies = {"healthy": [], "black-holed": []}
            for _ in range(ROUNDS):
                for mode, port in (("healthy", healthy_port), ("black-holed", black_hole.port)):
                    queue_backlog(app)
                    with MailWorker(server, port):
                        latencies[mode] += measure(post_report, REQUESTS_PER_ROUND, CONCURRENCY, expect=(302,))
    catcher.stop()
    print(f"outbox: {sent_count_text(mail_dir)}; black hole took {black_hole.connections} connection(s)")
    shutil.rmtree(mail_dir, ignore_errors=True)
    print_latencies(latencies)
    ok = report("POST /issues/new p99, SMTP black-holed vs healthy", percentile(latencies["black-holed"], 99),
                percentile(latencies["healthy"], 99), LIMIT)
    return 0 if ok else 1


def queue_backlog(app, count: int = 300) -> None:
    """Queue `count` notices for the worker to deliver while the reports are measured."""
    from app.emailer import enqueue_many
    from app.extensions import db
    from app.models.mail import Purpose

    with app.app_context():
        enqueue_many("issue_update", [(f"student{i % STUDENTS}@example.ac.za", {
            "name": "Student", "issue_id": i, "title": "Tap drips", "house": "Bench House", "status": "in_progress",
            "status_label": "In progress", "link": "http://localhost/issues/1", "updates": []})
            for i in range(count)], purpose=Purpose.NOTICE)
        db.session.commit()


def sent_count_text(mail_dir: Path) -> str:
    return f"{len(list(mail_dir.glob('*.eml')))} email(s) reached the healthy server"


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
