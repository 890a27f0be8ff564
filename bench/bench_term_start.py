"""Term start on the budget: from queueing 1,500 reminders to the last of them accepted by a local aiosmtpd
server, on MAIL_DAILY_LIMIT=2000 with two weeks of ordinary history (per day 10 security, 5 alerts, 2 urgent,
120 notices), against raw smtplib sending the same 1,500 messages over one connection in the same run
(limit: 3x). With reserves learned from that history, bulk mail has the rest of the day: the reminders leave as
fast as the worker sends, not 25 % of the day at a time.

Run: .venv/bin/python -m bench.bench_term_start   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server;
BENCH_SQLITE=1 uses a SQLite file instead)
"""
import os
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from bench.bench_mail_drain import raw_send, rendered, start_server
from bench.harness import free_port, fresh_database, report

REMINDERS = 1_500
LIMIT = 3.0
ORDINARY_DAY = {"security": 10, "alert": 5, "urgent": 2, "notice": 120}


def history(app) -> None:
    """Two weeks of ordinary use, already sent (they count in the forecast, not in today's window)."""
    from app.extensions import db
    from app.models.base import utcnow
    from app.models.mail import PRIORITY, MailStatus, OutboxEmail, Purpose

    now = utcnow()
    rows = []
    for day in range(1, 15):
        at = now - timedelta(days=day, hours=2)
        for purpose, count in ORDINARY_DAY.items():
            rows += [{"template": "password_reset", "to_address": "old@example.ac.za", "context": {},
                      "purpose": Purpose(purpose), "priority": PRIORITY[Purpose(purpose)], "cause": "system",
                      "status": MailStatus.SENT, "logo": True, "attempts": 0, "send_after": at, "created_at": at,
                      "charged_at": at, "sent_at": at}] * count
    with app.app_context():
        db.session.execute(sa.insert(OutboxEmail.__table__), rows)
        db.session.commit()


def press(app) -> None:
    from app.emailer import enqueue_many
    from app.extensions import db
    from app.models.mail import Purpose

    with app.app_context():
        enqueue_many("password_reset", [(f"student{i}@example.ac.za", {"name": f"Student {i}",
                                                                        "link": f"http://localhost/r/{i}"})
                                        for i in range(REMINDERS)], purpose=Purpose.BULK, batch="term-start")
        db.session.commit()


def drained(app) -> float:
    """Seconds from the press to the last reminder accepted, the worker draining as it would."""
    from app.emailer.worker import Worker

    started = time.perf_counter()
    press(app)
    with app.app_context():
        totals = Worker().drain()
    elapsed = time.perf_counter() - started
    assert totals["sent"] == REMINDERS, f"{totals}: the budget held reminders back"
    return elapsed


def main() -> int:
    port = free_port()
    server = start_server(port)
    sqlite = bool(os.environ.get("BENCH_SQLITE"))
    try:
        with fresh_database("term_start", sqlite=sqlite) as (_url, app):
            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DAILY_LIMIT=2000,
                              MAIL_USERNAME=None, MAIL_PASSWORD=None)
            history(app)
            press(app)
            raw = raw_send(port, [m for m in rendered(app) if "student" in m[0]])
            from app.extensions import db
            from app.models.mail import OutboxEmail
            with app.app_context():
                db.session.execute(sa.delete(OutboxEmail).where(OutboxEmail.batch == "term-start"))
                db.session.commit()
            ours = drained(app)
            print(f"{'SQLite' if sqlite else 'MariaDB'}: {REMINDERS} reminders in {ours:.1f} s "
                  f"(raw smtplib {raw:.1f} s) on a limit of 2000 with two weeks of history")
            within = report("term start: press to last reminder vs raw smtplib (time)", ours, raw, LIMIT)
        return 0 if within else 1
    finally:
        server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
