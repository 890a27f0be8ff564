"""The reminder button for a house of 7,500 students on MariaDB, against a bare bulk INSERT of the same outbox
rows measured in the same run (limit: 2x). The request must talk no SMTP at all: MAIL_SERVER points at a
listener that counts connections, and it must count none.

Run: .venv/bin/python -m bench.bench_reminders   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server)
"""
import socket
import statistics
import sys
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from bench.harness import PASSWORD, Client, Server, fresh_database, house_with_admin, report, sized

STUDENTS = 7_500
ROUNDS = sized(5, 3)
LIMIT = 2.0


class ConnectionCounter:
    """A TCP listener standing in for the SMTP server: it only counts who connects."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def seed(app) -> None:
    from app.extensions import db
    from app.models.accounts import Role, User

    with app.app_context():
        house, hashed = house_with_admin("1-50")
        # Half set a password (plain link), half came from a roster import (one-time set-password link).
        db.session.execute(sa.insert(User), [
            {"email": f"student{i}@example.ac.za", "name": f"Student {i}", "role": Role.STUDENT,
             "house_id": house.id, "password_hash": hashed if i % 2 else None} for i in range(STUDENTS)])
        db.session.commit()


def reset(app) -> list[dict]:
    """Move the last press back to before the cooldown (the reminders stay, as they do in a real term: a
    press reads every earlier one for the yearly cap), and empty the outbox; returns the rows it queued."""
    from app.extensions import db
    from app.models.base import utcnow
    from app.models.mail import OutboxEmail
    from app.models.move_in import MoveInReminder, ReminderBatch

    with app.app_context():
        rows = [dict(r._mapping) for r in db.session.execute(
            sa.select(OutboxEmail.template, OutboxEmail.to_address, OutboxEmail.context, OutboxEmail.purpose,
                      OutboxEmail.priority, OutboxEmail.status, OutboxEmail.batch, OutboxEmail.logo,
                      OutboxEmail.attempts, OutboxEmail.send_after, OutboxEmail.created_at))]
        before_cooldown = utcnow() - timedelta(hours=app.config["MOVE_IN_REMINDER_COOLDOWN_HOURS"] + 1)
        for model in (MoveInReminder, ReminderBatch):
            db.session.execute(sa.update(model).where(model.created_at > before_cooldown)
                               .values(created_at=before_cooldown))
        db.session.execute(sa.delete(OutboxEmail))
        db.session.commit()
        return rows


def bare_insert(app, rows: list[dict]) -> float:
    """The baseline: one bulk INSERT of the same outbox rows in one transaction, then clean up."""
    from app.extensions import db
    from app.models.mail import OutboxEmail

    with app.app_context():
        fresh = [{**row, "batch": "baseline"} for row in rows]
        start = time.perf_counter()
        db.session.execute(sa.insert(OutboxEmail), fresh)
        db.session.commit()
        elapsed = time.perf_counter() - start
        db.session.execute(sa.delete(OutboxEmail))
        db.session.commit()
        return elapsed


def main() -> int:
    counter = ConnectionCounter()
    with fresh_database("reminders") as (url, app):
        seed(app)
        env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(counter.port), "MAIL_DAILY_LIMIT": "500"}
        with Server(url, workers=1, threads=2, env=env) as server:
            client = Client(server).login("admin@example.ac.za", PASSWORD)
            client.get("/admin/move-in")  # warm up
            button, baseline = [], []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                response = client.post("/admin/move-in/reminders", data={"house": "big"},
                                       headers={"Accept": "application/json"})
                button.append(time.perf_counter() - start)
                answer = response.json()
                if response.status_code != 200 or answer["queued"] != STUDENTS:
                    print(f"unexpected answer: {response.status_code} {answer}", file=sys.stderr)
                    return 1
                rows = reset(app)
                assert len(rows) == STUDENTS, len(rows)
                baseline.append(bare_insert(app, rows))
            print(f"answer: {answer['message']}")
    print(f"button {[round(t, 3) for t in button]} s; bare insert {[round(t, 3) for t in baseline]} s; "
          f"SMTP connections during the requests: {counter.connections}")
    ok = report(f"reminder button, {STUDENTS} students (median of {ROUNDS})",
                statistics.median(button), statistics.median(baseline), LIMIT)
    if counter.connections:
        print("FAIL: the request talked to the SMTP server")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
