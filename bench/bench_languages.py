"""The admin queue (GET /admin/) and an issue page (GET /admin/issues/<id>) rendered in Afrikaans against the
same pages in English, under gunicorn on MariaDB, in the same run: two admins of one house, one reading Afrikaans
(on the account), one English, each request of one beside one of the other (a random order in each turn).
Limit: each page's median ratio 1.1 (p95 ratios printed for information).

Before that, in this process: what reading a language's catalogs costs on the first request, and on every later
one (Flask-Babel keeps them per process: tests/test_catalogs.py holds it to that).

Run: .venv/bin/python -m bench.bench_languages   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server)
"""
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from bench.harness import (
    ADMIN_EMAIL,
    PASSWORD,
    Client,
    Server,
    fresh_database,
    house_with_admin,
    percentile,
    report,
    sized,
)

ISSUES = 2_000
STUDENTS = 200
EVENTS = 12  # on the measured issue: a timeline of status changes and comments
REQUESTS = sized(480, 240)  # per page and language
CONCURRENCY = 2
LIMIT = 1.1
AFRIKAANS_ADMIN = "admin.af@example.ac.za"
WORDS = ["leaking", "tap", "broken", "window", "door", "light", "socket", "shower", "drain", "wifi", "heater"]


def seed(app) -> int:
    """A house with its two admins, students and issues; returns the id of the issue with a long timeline."""
    from app.extensions import db
    from app.models.accounts import Role, User
    from app.models.base import utcnow
    from app.models.issues import Category, EventKind, Issue, IssueEvent, IssueStatus, Urgency

    rng = random.Random(23)
    with app.app_context():
        house, hashed = house_with_admin(f"1-{STUDENTS}", ["Kitchen", "Laundry"])
        db.session.add(User(email=AFRIKAANS_ADMIN, name="Admin AF", role=Role.ADMIN, password_hash=hashed,
                            language="af", admin_houses=[house]))
        db.session.execute(sa.insert(User), [
            {"email": f"s{i}@example.ac.za", "name": f"Student {i}", "role": Role.STUDENT, "house_id": house.id,
             "room_id": house.rooms[i].id, "password_hash": hashed} for i in range(STUDENTS)])
        students = db.session.execute(sa.select(User.id, User.room_id).where(User.role == Role.STUDENT)).all()
        now = utcnow()
        statuses = [IssueStatus.REPORTED, IssueStatus.IN_PROGRESS, IssueStatus.ON_HOLD, IssueStatus.RESOLVED]
        rows = []
        for n in range(ISSUES):
            student_id, room_id = rng.choice(students)
            created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            status = rng.choice(statuses)
            rows.append({
                "house_id": house.id, "reporter_id": student_id, "room_id": room_id,
                "category": rng.choice(list(Category)), "title": " ".join(rng.sample(WORDS, 3)).capitalize(),
                "description": " ".join(rng.choices(WORDS, k=25)),
                "urgency": Urgency.URGENT if n % 9 == 0 else Urgency.NORMAL, "enter_permission": False,
                "status": status, "created_at": created, "updated_at": created,
                "resolved_at": created if status == IssueStatus.RESOLVED else None})
        db.session.execute(sa.insert(Issue), rows)
        issue_id = db.session.scalar(sa.select(sa.func.max(Issue.id)))
        admin_id = db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL))
        flow = [IssueStatus.REPORTED, IssueStatus.IN_PROGRESS, IssueStatus.ON_HOLD, IssueStatus.IN_PROGRESS]
        events = [{"issue_id": issue_id, "author_id": students[0][0], "kind": EventKind.REPORTED, "body": "",
                   "created_at": now - timedelta(days=EVENTS)}]
        for n in range(1, EVENTS):
            change = n % 2 == 1
            events.append({"issue_id": issue_id, "author_id": admin_id,
                           "kind": EventKind.STATUS if change else EventKind.COMMENT,
                           "from_status": flow[(n - 1) % 4] if change else None,
                           "to_status": flow[n % 4] if change else None,
                           "body": " ".join(rng.choices(WORDS, k=12)), "public": True,
                           "created_at": now - timedelta(days=EVENTS - n)})
        db.session.execute(sa.insert(IssueEvent), events)
        db.session.execute(sa.update(Issue).where(Issue.id == issue_id).values(status=IssueStatus.IN_PROGRESS))
        db.session.commit()
        return issue_id


def catalog_costs(app) -> None:
    """Print what Flask-Babel's first and later look-ups of the Afrikaans catalogs cost in this process."""
    import flask_babel

    times = []
    for _ in range(200):
        with app.test_request_context("/", headers={"Accept-Language": "af"}):
            start = time.perf_counter()
            flask_babel.get_translations().ugettext("Log in")
            times.append(time.perf_counter() - start)
    print(f"Afrikaans catalogs: first request {times[0] * 1000:.2f} ms (read from the .mo files), later requests "
          f"median {percentile(times[1:], 50) * 1e6:.1f} µs (the locale chosen, the catalogs found in memory)")


def shuffled(calls: dict, requests: int, concurrency: int) -> dict[str, list[float]]:
    """Each of `concurrency` threads runs every call once per turn, in a random order, `requests` turns in all:
    the finest interleaving, so the machine's noise (a shared 2-core host) falls on every call alike."""
    results = {name: [] for name in calls}
    lock = threading.Lock()

    def turn(number: int) -> None:
        order = list(calls)
        random.Random(number).shuffle(order)
        for name in order:
            start = time.perf_counter()
            response = calls[name]()
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(f"{name}: status {response.status_code}")
            with lock:
                results[name].append(elapsed)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(turn, range(requests)))
    return results


def main() -> int:
    with fresh_database("languages") as (url, app):
        catalog_costs(app)
        issue_id = seed(app)
        with Server(url, workers=2, threads=4, env={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9"}) as server:
            english = Client(server).login(ADMIN_EMAIL, PASSWORD)
            afrikaans = Client(server).login(AFRIKAANS_ADMIN, PASSWORD)
            page = f"/admin/issues/{issue_id}"
            for client, code in ((english, "en"), (afrikaans, "af")):
                for path in ("/admin/", page):
                    html = client.get(path).text  # warm up, and the page really is in that language
                    if f'<html lang="{code}"' not in html:
                        raise RuntimeError(f"{path} for the {code} admin is not in {code}")
            calls = {"queue en": lambda: english.get("/admin/"), "queue af": lambda: afrikaans.get("/admin/"),
                     "issue en": lambda: english.get(page), "issue af": lambda: afrikaans.get(page)}
            results = shuffled(calls, REQUESTS, CONCURRENCY)
    for label, values in results.items():
        print(f"{label}: n={len(values)} p50 {percentile(values, 50) * 1000:.1f} ms, "
              f"p95 {percentile(values, 95) * 1000:.1f} ms")
    for name in ("queue", "issue"):
        print(f"{name} p95 ratio af/en: "
              f"{percentile(results[name + ' af'], 95) / percentile(results[name + ' en'], 95):.2f} (information)")
    ok = [report(f"GET /admin/ median ({ISSUES:,} issues) in Afrikaans vs English",
                 percentile(results["queue af"], 50), percentile(results["queue en"], 50), LIMIT),
          report(f"GET /admin/issues/<id> median ({EVENTS} events) in Afrikaans vs English",
                 percentile(results["issue af"], 50), percentile(results["issue en"], 50), LIMIT)]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
