"""Demo issues for the demo houses of app/demo.py (`flask seed-demo`)."""
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import (
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueStatus,
    IssueSubscription,
    Urgency,
)

# (house slug, common area or None for the student's room, category, title, description, urgency, status,
#  days ago, admin comment)
DEMO_ISSUES = [
    ("acacia", "Laundry", Category.APPLIANCES, "Washing machine 2 does not spin",
     "The drum fills and then stops; clothes come out soaking wet.", Urgency.NORMAL, IssueStatus.IN_PROGRESS, 3,
     "Technician booked for Thursday morning."),
    ("acacia", "Kitchen", Category.ELECTRICAL, "Extractor fan very loud",
     "The fan above the stove rattles loudly when switched on.", Urgency.NORMAL, IssueStatus.REPORTED, 1, ""),
    ("acacia", None, Category.ELECTRICAL, "Socket by the desk sparks",
     "The double socket next to my desk sparks when I plug in my charger.", Urgency.URGENT, IssueStatus.RESOLVED,
     9, "Socket replaced by the electrician."),
    ("baobab", "Common room", Category.INTERNET, "Wi-Fi drops every evening",
     "Between 8 and 11 pm the Wi-Fi in the common room keeps disconnecting.", Urgency.NORMAL,
     IssueStatus.REPORTED, 2, ""),
    ("protea", None, Category.PLUMBING, "Shower drain blocked",
     "Water stays in the shower tray for about an hour after a shower.", Urgency.NORMAL, IssueStatus.REPORTED,
     8, ""),
]


def _people(house: House) -> tuple[User | None, User | None]:
    student = db.session.scalar(sa.select(User).where(User.house_id == house.id, User.role == Role.STUDENT)
                                .order_by(User.id).limit(1))
    admin = next((u for u in db.session.scalars(sa.select(User).where(User.role == Role.ADMIN))
                  if house.id in u.admin_house_ids), None)
    return student, admin


def _staff(house: House) -> User | None:
    return next((u for u in db.session.scalars(sa.select(User).where(User.role == Role.STAFF).order_by(User.id))
                 if house.id in u.staff_house_ids), None)


def seed_demo_issues() -> int:
    """Add the demo issues (with timelines) to the session for the demo houses that exist; the caller commits.
    Returns how many were added."""
    added = 0
    for slug, area_name, category, title, description, urgency, status, days, comment in DEMO_ISSUES:
        house = db.session.scalar(sa.select(House).where(House.slug == slug))
        student, admin = _people(house) if house else (None, None)
        if student is None or admin is None:
            continue
        area = next((a for a in house.common_areas if a.name == area_name), None)
        created = utcnow() - timedelta(days=days)
        issue = Issue(house=house, reporter=student, category=category, title=title, description=description,
                      urgency=urgency, status=status, common_area=area, room=None if area else student.room,
                      enter_permission=area is None, created_at=created, updated_at=created)
        issue.events.append(IssueEvent(author=student, kind=EventKind.REPORTED, created_at=created))
        if status != IssueStatus.REPORTED:
            changed = created + timedelta(hours=20)
            issue.events.append(IssueEvent(author=admin, kind=EventKind.STATUS, from_status=IssueStatus.REPORTED,
                                           to_status=status, body=comment, created_at=changed))
            issue.updated_at = issue.first_response_at = changed  # the admin's change answered the student
            if status == IssueStatus.RESOLVED:
                issue.resolved_at = changed
        staff = _staff(house)
        if staff is not None and status.is_open:  # the open ones are on the house's maintenance person's list
            issue.assignee = staff
            issue.events.append(IssueEvent(author=admin, kind=EventKind.ASSIGNED,
                                           created_at=created + timedelta(hours=2)))
        db.session.add(issue)
        db.session.flush()
        db.session.add(IssueSubscription(issue_id=issue.id, user_id=student.id))
        added += 1
    return added
