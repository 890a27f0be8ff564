"""Enqueueing 7,500 emails in one transaction with enqueue_many against a bare SQLAlchemy Core insert of the
same 7,500 outbox rows, measured side by side in one run (limit: 2x).

Run: .venv/bin/python -m bench.bench_mail_enqueue   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server;
BENCH_SQLITE=1 uses a SQLite file instead)
"""
import os
import statistics
import sys
import time

import sqlalchemy as sa

from bench.harness import fresh_database, report, sized

EMAILS = 7_500
ROUNDS = sized(5, 3)
LIMIT = 2.0


def recipients() -> list[tuple[str, dict]]:
    return [(f"student{i}@example.ac.za", {"name": f"Student {i}", "house": "Big House",
                                           "link": f"http://localhost/move-in/?r={i}"}) for i in range(EMAILS)]


def candidate(app, batch: str) -> float:
    from app.emailer import enqueue_many
    from app.extensions import db

    pairs = recipients()
    with app.app_context():
        started = time.perf_counter()
        count = enqueue_many("move_in_reminder", pairs, batch=batch)
        db.session.commit()
        elapsed = time.perf_counter() - started
    assert count == EMAILS
    return elapsed


def baseline(app, batch: str) -> float:
    from app.extensions import db
    from app.models.base import utcnow
    from app.models.mail import OutboxEmail

    pairs = recipients()
    with app.app_context():
        started = time.perf_counter()
        now = utcnow()
        with db.engine.begin() as conn:
            conn.execute(sa.insert(OutboxEmail.__table__), [
                {"template": "move_in_reminder", "to_address": to, "context": context, "purpose": "bulk",
                 "priority": 3, "status": "queued", "batch": batch, "logo": True, "attempts": 0,
                 "send_after": now, "created_at": now} for to, context in pairs])
        return time.perf_counter() - started


def clear(app) -> None:
    from app.extensions import db
    from app.models.mail import OutboxEmail

    with app.app_context():
        db.session.execute(sa.delete(OutboxEmail))
        db.session.commit()


def main() -> int:
    sqlite = bool(os.environ.get("BENCH_SQLITE"))
    with fresh_database("mail_enqueue", sqlite=sqlite) as (_url, app):
        times = {"candidate": [], "baseline": []}
        for round_ in range(ROUNDS):
            order = ("baseline", "candidate") if round_ % 2 else ("candidate", "baseline")
            for name in order:
                clear(app)
                times[name].append((candidate if name == "candidate" else baseline)(app, f"bench-{round_}"))
        clear(app)
    ours, bare = statistics.median(times["candidate"]), statistics.median(times["baseline"])
    print(f"{'SQLite' if sqlite else 'MariaDB'}: enqueue_many {EMAILS / ours:.0f} rows/s, "
          f"bare insert {EMAILS / bare:.0f} rows/s (median of {ROUNDS})")
    return 0 if report(f"enqueue_many of {EMAILS} vs bare insert", ours, bare, LIMIT) else 1


if __name__ == "__main__":
    sys.exit(main())
