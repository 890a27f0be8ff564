"""The error dashboard with 100,000 stored occurrences across 1,000 groups against a trivial page (the home
page), both served by the same gunicorn run: p95 within 5x.

    .venv/bin/python -m bench.bench_dashboard [--requests 200] [--sqlite]
"""
import argparse
import random
import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from bench.harness import Client, Server, fresh_database, interleaved, percentile, report, sized

GROUPS = 1_000
OCCURRENCES = 100_000
HOURS_PER_GROUP = 48
LIMIT = 5.0
DEV_EMAIL, DEV_PASSWORD = "dev@example.ac.za", "bench-password-1"
SOURCES = ["web", "mail.worker", "mail.render", "issues.photos", "move_in"]
TRACEBACK = "Traceback (most recent call last):\n" + "".join(
    f'  File "/srv/rinaibra/app/issues/routes.py", line {n}, in view_{n}\n    do_something()\n' for n in range(12)
) + "KeyError: 'room'\n"


def chunks(rows: list[dict], size: int = 5_000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def seed(app) -> float:
    """Bulk-insert the groups, occurrences and hourly counts and one developer; returns seconds taken."""
    from app.extensions import db
    from app.models.accounts import Role, User
    from app.models.base import utcnow
    from app.models.errors import ErrorGroup, ErrorHourlyCount, ErrorOccurrence, ErrorStatus

    started = time.perf_counter()
    rng = random.Random(7)
    now = utcnow()
    hour_now = now.replace(minute=0, second=0, microsecond=0)
    per_group = OCCURRENCES // GROUPS
    with app.app_context():
        developer = User(email=DEV_EMAIL, name="Bench Developer", role=Role.DEVELOPER)
        developer.set_password(DEV_PASSWORD)
        db.session.add(developer)
        db.session.commit()
        groups = []
        for gid in range(1, GROUPS + 1):
            last = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 7))
            groups.append({
                "id": gid, "fingerprint": f"{gid:064x}", "source": SOURCES[gid % len(SOURCES)],
                "error_type": "KeyError", "title": f"KeyError: 'room' in view number {gid}",
                "status": rng.choice([ErrorStatus.OPEN] * 6 + [ErrorStatus.RESOLVED, ErrorStatus.MUTED]),
                "count": per_group, "first_seen": last - timedelta(days=3), "last_seen": last,
                "sample_message": "'room'", "sample_traceback": TRACEBACK,
                "sample_details": {"method": "POST", "path": "/issues/new", "user_id": gid},
                "regressed": False})
        occurrences, hours = [], []
        for group in groups:
            for n in range(per_group):
                occurrences.append({
                    "group_id": group["id"], "reference": f"{group['id']:04d}-{n:04d}",
                    "created_at": group["last_seen"] - timedelta(minutes=n * 7), "message": "'room'",
                    "traceback": TRACEBACK, "details": {"method": "POST", "path": "/issues/new"}})
            for h in range(HOURS_PER_GROUP):
                hours.append({"group_id": group["id"], "hour": hour_now - timedelta(hours=h),
                              "count": rng.randrange(1, 20)})
        with db.engine.begin() as conn:
            conn.execute(sa.insert(ErrorGroup.__table__), groups)
            for rows in chunks(occurrences):
                conn.execute(sa.insert(ErrorOccurrence.__table__), rows)
            for rows in chunks(hours):
                conn.execute(sa.insert(ErrorHourlyCount.__table__), rows)
        stored = db.session.scalar(sa.select(sa.func.count(ErrorOccurrence.id)))
    assert stored == OCCURRENCES, stored
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=sized(200, 100))
    parser.add_argument("--sqlite", action="store_true", help="SQLite file instead of MariaDB")
    args = parser.parse_args()
    with fresh_database("dashboard", sqlite=args.sqlite) as (url, app):
        seconds = seed(app)
        print(f"seeded {GROUPS} groups, {OCCURRENCES} occurrences, {GROUPS * HOURS_PER_GROUP} hourly counts "
              f"in {seconds:.1f}s", flush=True)
        with Server(url, workers=2, threads=2) as server:
            client = Client(server).login(DEV_EMAIL, DEV_PASSWORD)
            pages = {"dashboard": lambda: client.get("/dev/errors?status=all"),
                     "dashboard, page 20": lambda: client.get("/dev/errors?status=all&page=20"),
                     "dashboard, search": lambda: client.get("/dev/errors?status=all&q=number+99"),
                     "detail": lambda: client.get("/dev/errors/500"),
                     "trivial": lambda: client.get("/")}
            for call in pages.values():  # warm up every worker
                for _ in range(4):
                    call()
            latencies = interleaved(pages, args.requests, concurrency=4, rounds=8)
    baseline = percentile(latencies.pop("trivial"), 95)
    ok = True
    for name, values in latencies.items():
        ok &= report(f"p95 {name} vs trivial page ({len(values)} requests, 100k occurrences)",
                     percentile(values, 95), baseline, LIMIT)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
