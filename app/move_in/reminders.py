"""The reminder button: one bulk email per student on the roster who has not submitted, never twice within the
cooldown (an invitation at roster import counts as the first)."""
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.emailer import batch_progress as outbox_batch_progress
from app.emailer import enqueue_many, estimate_delivery
from app.emailer.unsubscribe import count_skipped, has_turned_off
from app.extensions import db
from app.localtime import when
from app.models.accounts import User
from app.models.base import utcnow
from app.models.deliveries import UndeliverableAddress
from app.models.houses import House
from app.models.mail import MailStatus, OutboxEmail, Purpose
from app.models.move_in import FormStatus, MoveInForm, MoveInReminder, ReminderBatch
from app.move_in.checklist import academic_year, year_label
from app.move_in.invite import WayIn, can_sign_in
from app.move_in.overview import on_roster

TEMPLATE = "move_in_reminder"
INVITATION = "account_invite"  # a roster import's invitation counts as the first reminder


@dataclass(frozen=True)
class Counts:
    """One house's students on the roster who have not submitted, each counted once, in this order: turned
    move-in reminders off, address bounced, held back (reminded or invited within the cooldown, or at the
    yearly cap), due (a press reminds them now)."""
    waiting: int = 0
    turned_off: int = 0
    bounced: int = 0
    due: int = 0
    not_signed_in: int = 0  # of `due`: their reminder is also their way in

    @property
    def held_back(self) -> int:
        return self.waiting - self.turned_off - self.bounced - self.due


@dataclass(frozen=True)
class ReminderResult:
    queued: int
    counts: Counts  # as they were when the press decided
    batch_id: str | None
    last_out_by: datetime | None


def cooldown() -> timedelta:
    return timedelta(hours=float(current_app.config["MOVE_IN_REMINDER_COOLDOWN_HOURS"]))


def yearly_cap() -> int:
    return int(current_app.config["MOVE_IN_REMINDER_CAP"])


def not_submitted(house_ids: list[int], year: int):
    """Condition on User: a student on the roster of one of the houses (signed in or not) without a submitted
    form this year."""
    submitted = sa.select(MoveInForm.id).where(
        MoveInForm.user_id == User.id, MoveInForm.academic_year == year, MoveInForm.status == FormStatus.SUBMITTED)
    return sa.and_(on_roster(house_ids), ~sa.exists(submitted))


def _due(year: int, now: datetime):
    """Condition on User: not reminded (or invited) within the cooldown and below the yearly cap."""
    recent = sa.select(MoveInReminder.id).where(
        MoveInReminder.user_id == User.id, MoveInReminder.created_at > now - cooldown())
    sent_this_year = (sa.select(sa.func.count(MoveInReminder.id))
                      .where(MoveInReminder.user_id == User.id, MoveInReminder.academic_year == year)
                      .scalar_subquery())
    return sa.and_(~sa.exists(recent), sent_this_year < yearly_cap())


def _bounced():
    """Condition on User: their address is marked undeliverable (a hard bounce no one has cleared)."""
    return sa.exists(sa.select(UndeliverableAddress.address).where(
        UndeliverableAddress.address == User.email, UndeliverableAddress.cleared_at.is_(None)))


def _remindable(year: int, now: datetime):
    """Condition on User: a press at `now` reminds them (given that they have not submitted)."""
    return sa.and_(~has_turned_off(TEMPLATE), ~_bounced(), _due(year, now))


def waiting(house_ids: list[int], year: int, now: datetime | None = None) -> list[sa.Row]:
    """The houses' roster students who have not submitted, by id, each with what a press at `now` makes of
    them: `turned_off`, `bounced`, `due` and `signed_in` (each condition worked out once per student)."""
    def flag(condition):
        return sa.case((condition, 1), else_=0)

    return db.session.execute(
        sa.select(User.id, User.house_id, User.email, User.name, flag(has_turned_off(TEMPLATE)).label("turned_off"),
                  flag(_bounced()).label("bounced"), flag(_due(year, now or utcnow())).label("due"),
                  flag(can_sign_in()).label("signed_in"))
        .where(not_submitted(house_ids, year)).order_by(User.id)).all()


def remindable(student: sa.Row) -> bool:
    """A press reminds this `waiting` student now."""
    return student.due and not student.turned_off and not student.bounced


def tally(students: list[sa.Row]) -> dict[int, Counts]:
    """`Counts` per house of `waiting` students, each in the first group that holds them."""
    figures: dict[int, Counter] = {}
    for s in students:
        house = figures.setdefault(s.house_id, Counter())
        house["waiting"] += 1
        if s.turned_off:
            house["turned_off"] += 1
        elif s.bounced:
            house["bounced"] += 1
        elif s.due:
            house["due"] += 1
            house["not_signed_in"] += not s.signed_in
    return {house_id: Counts(**house) for house_id, house in figures.items()}


def counts(house_ids: list[int], year: int, now: datetime | None = None) -> dict[int, Counts]:
    """Per house with students who have not submitted: who a press at `now` would remind, and who not, and why."""
    return tally(waiting(house_ids, year, now))


def _lock_house(house_id: int) -> None:
    """Serialise presses for one house: a write lock on its row, held until this transaction ends.

    A no-op UPDATE locks the row on MariaDB/MySQL (and takes SQLite's write lock); it is the first statement
    of a fresh transaction, so everything read after it sees every earlier press's committed reminders.
    """
    db.session.execute(sa.update(House).where(House.id == house_id).values(slug=House.slug)
                       .execution_options(synchronize_session=False))


def record(batch: ReminderBatch, who) -> int:
    """Record a reminder of `batch` for each User matching the condition `who` (one INSERT ... SELECT); returns
    how many."""
    chosen = sa.select(User.id, sa.literal(batch.id, sa.String), sa.literal(batch.academic_year, sa.Integer),
                       User.email, sa.literal(batch.created_at, MoveInReminder.created_at.type)).where(who)
    return db.session.execute(sa.insert(MoveInReminder).from_select(
        ["user_id", "batch_id", "academic_year", "to_address", "created_at"], chosen)).rowcount


def send_reminders(house: House, sent_by: User) -> ReminderResult:
    """Queue, in one transaction, a reminder for every student of `house` who is due one; commits. A student
    who has never signed in gets their way in with it (app/move_in/invite.py)."""
    house_id, house_name, sender_id, reply = house.id, house.name, sent_by.id, house.reply_context()
    db.session.commit()  # end the request's read transaction: the lock below must start a new one
    _lock_house(house_id)
    now, year = utcnow(), academic_year()
    students = waiting([house_id], year, now)
    before = tally(students).get(house_id, Counts())
    if before.turned_off:  # the emails they would have had count on their preference, as enqueue_many does
        count_skipped(TEMPLATE, [s.email for s in students if s.turned_off and s.due])
    chosen = [s for s in students if remindable(s)]
    if not chosen:
        db.session.commit()  # keep the skip counts
        return ReminderResult(0, before, None, None)
    batch = ReminderBatch(id=uuid.uuid4().hex, house_id=house_id, created_by_id=sender_id, academic_year=year,
                          created_at=now)
    db.session.add(batch)
    batch.count = record(batch, User.id.in_([s.id for s in chosen]))
    last_out_by = estimate_delivery(batch.count, Purpose.BULK)  # before ours join the queue
    way_in, common = WayIn(), {"house": house_name, "year": year_label(year), **reply}
    recipients = []
    for s in chosen:
        link, set_password = way_in(s.id, bool(s.signed_in))
        recipients.append((s.email, {**common, "name": s.name, "set_password": set_password, "link": link}))
    enqueue_many(TEMPLATE, recipients, purpose=Purpose.BULK, batch=batch.id)
    batch_id, queued = batch.id, batch.count
    db.session.commit()
    return ReminderResult(queued, before, batch_id, last_out_by)


def record_invitations(house_id: int, users: list[User], sent_by: User | None, batch_id: str) -> None:
    """Count the roster import's invitations (outbox batch `batch_id`) as the students' first reminder: no
    reminder follows within the cooldown, and they count towards the yearly cap. The caller commits."""
    batch = ReminderBatch(id=batch_id, house_id=house_id, created_by_id=sent_by.id if sent_by else None,
                          academic_year=academic_year(), created_at=utcnow())
    db.session.add(batch)
    db.session.flush()
    batch.count = record(batch, User.id.in_([user.id for user in users]))


def batch_progress(batch_id: str) -> dict:
    """A batch's emails: in the queue, sent, waiting for budget, failed, unknown; and when the last should leave
    (ISO, naive UTC, and as the residence's local time)."""
    progress = outbox_batch_progress(batch_id)
    pending = progress["queued"] + progress["sending"]
    done_at = progress["estimated_done"]
    return {"batch": batch_id, "total": progress["total"], "queued": pending, "sent": progress["sent"],
            "waiting": progress["waiting_for_budget"], "failed": progress["failed"], "unknown": progress["unknown"],
            "estimated_done": done_at, "done": pending == 0,
            "estimated_done_local": when(datetime.fromisoformat(done_at)) if done_at else None}


def batch_kind(batch_id: str) -> str:
    """"invitations" for a roster import's batch, else "reminders"."""
    template = db.session.scalar(sa.select(OutboxEmail.template).where(OutboxEmail.batch == batch_id).limit(1))
    return "invitations" if template == INVITATION else "reminders"


def latest_batch(house_id: int) -> ReminderBatch | None:
    return db.session.scalar(sa.select(ReminderBatch).where(ReminderBatch.house_id == house_id)
                             .order_by(ReminderBatch.created_at.desc()).limit(1))


def history(user_id: int) -> list[dict]:
    """A student's reminders, newest first, each with its email's delivery state."""
    rows = db.session.execute(
        sa.select(MoveInReminder, OutboxEmail.status, OutboxEmail.sent_at, OutboxEmail.template)
        .outerjoin(OutboxEmail, sa.and_(OutboxEmail.batch == MoveInReminder.batch_id,
                                        OutboxEmail.to_address == MoveInReminder.to_address))
        .where(MoveInReminder.user_id == user_id)
        .order_by(MoveInReminder.created_at.desc())).all()
    return [{"at": r.created_at, "batch": r.batch_id, "year": r.academic_year, "to": r.to_address,
             "status": MailStatus(status).value if status else "removed", "sent_at": sent_at,
             "invitation": template == INVITATION}
            for r, status, sent_at, template in rows]
