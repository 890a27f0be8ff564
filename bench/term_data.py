"""Term start, as data: two weeks of ordinary mail in the outbox's history and fifteen houses whose roster students
have never signed in. Shared by tests/emailer/test_term_start.py and bench/bench_term_start.py.

Call inside an app context; the caller commits. Everything goes in with a few bulk INSERTs.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.house_setup import create_house, parse_rooms
from app.models.accounts import Role, User
from app.models.houses import House
from app.models.mail import PRIORITY, MailStatus, OutboxEmail, Purpose

ORDINARY_DAY = {Purpose.SECURITY: 10, Purpose.ALERT: 5, Purpose.URGENT: 2, Purpose.NOTICE: 120}
HOUSES, STUDENTS_PER_HOUSE = 15, 100
PASSWORD = "term-start-password-1"


def add_history(now: datetime, days: int = 14, day: dict[Purpose, int] | None = None) -> int:
    """`day`'s mail (default ORDINARY_DAY) sent on each of the `days` before `now`, spread evenly over each day:
    what the budget learns its reserves from (the last day's is still in the rolling window). Returns how many."""
    rows = []
    for number in range(days):
        start = now - timedelta(days=days - number)
        for purpose, count in (ORDINARY_DAY if day is None else day).items():
            for i in range(count):
                at = start + timedelta(days=(i + 0.5) / count)
                rows.append({"purpose": purpose, "priority": PRIORITY[purpose], "status": MailStatus.SENT,
                             "template": "password_reset", "to_address": f"history{i}@example.ac.za",
                             "context": {}, "cause": "system", "logo": False, "attempts": 1, "send_after": at,
                             "created_at": at, "charged_at": at, "sent_at": at})
    if rows:
        db.session.execute(sa.insert(OutboxEmail), rows)
    return len(rows)


def student_email(house: int, number: int) -> str:
    return f"h{house:02d}-s{number:03d}@example.ac.za"


def admin_email(house: int) -> str:
    return f"admin{house:02d}@example.ac.za"


def add_houses(now: datetime, houses: int = HOUSES, students: int = STUDENTS_PER_HOUSE) -> list[str]:
    """`houses` houses, each with its admin (admin_email(h) / PASSWORD) and `students` roster students who have
    never signed in (no password, address not confirmed). Returns the houses' slugs."""
    hashed = generate_password_hash(PASSWORD)
    made: list[House] = []
    for number in range(houses):
        house = create_house(f"Term House {number:02d}", f"term-{number:02d}", parse_rooms("1-4"), [])
        db.session.flush()
        db.session.add(User(email=admin_email(number), name=f"Admin {number}", role=Role.ADMIN, password_hash=hashed,
                            admin_houses=[house]))
        made.append(house)
    db.session.execute(sa.insert(User), [
        {"email": student_email(number, i), "name": f"Student {number}-{i}", "role": Role.STUDENT,
         "house_id": house.id, "approved_at": now, "email_verified_at": None, "password_hash": None}
        for number, house in enumerate(made) for i in range(students)])
    return [house.slug for house in made]
