"""GET /admin/ for a house with 20,000 issues against a trivial page (the logged-in home page) in the same run,
under gunicorn on MariaDB. Limit: p95 within 5x. Filtered and searched queue pages are printed for information.

Run: .venv/bin/python -m bench.bench_admin_queue   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server)
"""
import random
import sys
from datetime import timedelta

import sqlalchemy as sa

from bench.harness import compare_admin_pages, house_with_admin, sized

ISSUES = 20_000
STUDENTS = 300
REQUESTS = sized(240, 120)
CONCURRENCY = 4
LIMIT = 5.0
WORDS = ["leaking", "tap", "broken", "window", "door", "light", "socket", "shower", "drain", "wifi", "heater",
         "cupboard", "hinge", "mould", "noise", "lock", "fridge", "stove", "chair", "desk"]


def seed(app) -> None:
    from app.extensions import db
    from app.models.accounts import Role, User
    from app.models.base import utcnow
    from app.models.issues import Category, Issue, IssueStatus, Urgency

    rng = random.Random(5)
    with app.app_context():
        house, hashed = house_with_admin(f"1-{STUDENTS}", ["Kitchen", "Laundry", "Gym"])
        db.session.execute(sa.insert(User), [
            {"email": f"s{i}@example.ac.za", "name": f"Student {i}", "role": Role.STUDENT, "house_id": house.id,
             "room_id": house.rooms[i].id, "password_hash": hashed} for i in range(STUDENTS)])
        students = db.session.execute(sa.select(User.id, User.room_id).where(User.role == Role.STUDENT)).all()
        areas = [a.id for a in house.common_areas]
        now = utcnow()
        statuses = [IssueStatus.RESOLVED] * 6 + [IssueStatus.REPORTED] * 2 + [IssueStatus.IN_PROGRESS,
                                                                              IssueStatus.WONT_FIX]
        rows = []
        for n in range(ISSUES):
            student_id, room_id = rng.choice(students)
            created = now - timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
            area = rng.choice(areas) if rng.random() < 0.3 else None
            status = rng.choice(statuses)
            rows.append({
                "house_id": house.id, "reporter_id": student_id, "room_id": None if area else room_id,
                "common_area_id": area, "category": rng.choice(list(Category)),
                "title": " ".join(rng.sample(WORDS, 3)).capitalize(),
                "description": " ".join(rng.choices(WORDS, k=25)), "urgency": Urgency.URGENT if n % 12 == 0
                else Urgency.NORMAL, "enter_permission": False, "status": status, "created_at": created,
                "updated_at": created, "resolved_at": created if status == IssueStatus.RESOLVED else None})
        for start in range(0, ISSUES, 2000):
            db.session.execute(sa.insert(Issue), rows[start:start + 2000])
        db.session.commit()


def main() -> int:
    return compare_admin_pages(
        "admin_queue", seed, {"queue": "/admin/", "home": "/",
                              "queue, all statuses, oldest first, page 100":
                                  "/admin/?status=all&sort=oldest&page=100",
                              "queue, search": "/admin/?status=all&q=leaking+tap"},
        "queue", f"GET /admin/ p95 ({ISSUES:,} issues) vs home page", LIMIT, REQUESTS, CONCURRENCY)


if __name__ == "__main__":
    sys.exit(main())
