"""Demo move-in data: a few residents per demo house with submitted forms, drafts and nothing yet."""
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House
from app.models.move_in import Condition, FormStatus, MoveInAnswer, MoveInForm
from app.move_in.checklist import DEFAULT_CHECKLIST, DEFAULT_TERMS, academic_year

DEMO_PASSWORD = "demo-rooftop-lantern"
# (first name, form state, damaged item index or None); the last one never set a password (a roster import).
RESIDENTS = [
    ("Thandi", "submitted", None), ("Pieter", "submitted", 4), ("Aisha", "draft", 1),
    ("Liam", "draft", None), ("Naledi", None, None), ("Johan", None, None),
]


def _form(user: User, house: House, state: str, damaged: int | None, year: int) -> MoveInForm:
    now = utcnow()
    answers = []
    for i, label in enumerate(DEFAULT_CHECKLIST):
        if state == "draft" and i > 6:
            break
        bad = i == damaged
        answers.append(MoveInAnswer(item_label=label, position=i,
                                    condition=Condition.DAMAGED if bad else Condition.GOOD,
                                    comment="Water stain in one corner." if bad else ""))
    submitted = state == "submitted"
    return MoveInForm(user_id=user.id, house_id=house.id, academic_year=year, room_number=user.room.number,
                      status=FormStatus.SUBMITTED if submitted else FormStatus.DRAFT,
                      accepted_terms=list(DEFAULT_TERMS) if submitted else [], answers=answers,
                      submitted_at=now if submitted else None)


def seed_demo_move_in() -> list[tuple[str, str]]:
    """Add six residents to every house (two submitted, two drafts, two not started); the caller commits.

    Returns (email, description) for the accounts made. Needs the demo houses to exist with rooms 102-107.
    """
    year, made = academic_year(), []
    for house in db.session.scalars(sa.select(House).order_by(House.name)):
        rooms = {room.number: room for room in house.rooms}
        for n, (first, state, damaged) in enumerate(RESIDENTS):
            email = f"{first.lower()}.{house.slug}@example.ac.za"
            if db.session.scalar(sa.select(User.id).where(User.email == email)) or str(102 + n) not in rooms:
                continue
            user = User(email=email, name=f"{first} ({house.name.split()[0]})", role=Role.STUDENT, house=house,
                        room=rooms[str(102 + n)])
            if n < len(RESIDENTS) - 1:
                user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            if state:
                db.session.add(_form(user, house, state, damaged, year))
            made.append((email, f"move-in {state or 'not started'}"))
    return made
