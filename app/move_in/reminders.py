"""The reminder button: one bulk email per student who has not submitted, never twice within the cooldown."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from app.emailer import batch_progress as outbox_batch_progress
from app.emailer import enqueue_many, estimate_delivery
from app.emailer.unsubscribe import count_skipped, has_turned_off
from app.extensions import db
from app.localtime import when
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House
from app.models.mail import MailStatus, OutboxEmail, Purpose
from app.models.move_in import FormStatus, MoveInForm, MoveInReminder, ReminderBatch
from app.move_in.checklist import academic_year, year_label
from app.move_in.invite import InviteLinks

TEMPLATE = "move_in_reminder"


@dataclass(frozen=True)
class ReminderResult:
    queued: int
    skipped: int  # not submitted, but reminded within the cooldown or at the yearly cap
    turned_off: int  # not submitted, but they turned move-in reminders off (never counted as queued)
    batch_id: str | None
    last_out_by: datetime | None


def cooldown() -> timedelta:
    return timedelta(hours=float(current_app.config["MOVE_IN_REMINDER_COOLDOWN_HOURS"]))


def yearly_cap() -> int:
    return int(current_app.config["MOVE_IN_REMINDER_CAP"])


def not_submitted(house_ids: list[int], year: int):
    """Condition on User: a student in good standing (verified, approved, active) of one of the houses without
    a submitted form this year."""
    submitted = sa.select(MoveInForm.id).where(
        MoveInForm.user_id == User.id, MoveInForm.academic_year == year, MoveInForm.status == FormStatus.SUBMITTED)
    return sa.and_(User.house_id.in_(house_ids), User.role == Role.STUDENT, User.in_good_standing,
                   ~sa.exists(submitted))


def _due(year: int, now: datetime):
    """Condition on User: not reminded within the cooldown and below the yearly cap."""
    recent = sa.select(MoveInReminder.id).where(
        MoveInReminder.user_id == User.id, MoveInReminder.created_at > now - cooldown())
    sent_this_year = (sa.select(sa.func.count(MoveInReminder.id))
                      .where(MoveInReminder.user_id == User.id, MoveInReminder.academic_year == year)
                      .scalar_subquery())
    return sa.and_(~sa.exists(recent), sent_this_year < yearly_cap())


def due_counts(house_ids: list[int], year: int) -> dict[int, int]:
    """Per house, how many students a press of the button would remind now (houses with none are left out)."""
    return dict(db.session.execute(
        sa.select(User.house_id, sa.func.count(User.id))
        .where(not_submitted(house_ids, year), _due(year, utcnow()), ~has_turned_off(TEMPLATE))
        .group_by(User.house_id)).all())


def turned_off_counts(house_ids: list[int], year: int) -> dict[int, int]:
    """Per house, how many students who have not submitted turned move-in reminders off (none: left out)."""
    return dict(db.session.execute(
        sa.select(User.house_id, sa.func.count(User.id))
        .where(not_submitted(house_ids, year), has_turned_off(TEMPLATE)).group_by(User.house_id)).all())


def _lock_house(house_id: int) -> None:
    """Serialise presses for one house: a write lock on its row, held until this transaction ends.

    A no-op UPDATE locks the row on MariaDB/MySQL (and takes SQLite's write lock); it is the first statement
    of a fresh transaction, so everything read after it sees every earlier press's committed reminders.
    """
    db.session.execute(sa.update(House).where(House.id == house_id).values(slug=House.slug)
                       .execution_options(synchronize_session=False))


def send_reminders(house: House, sent_by: User) -> ReminderResult:
    """Queue, in one transaction, a reminder for every student of `house` who is due one; commits."""
    house_id, house_name, sender_id, reply = house.id, house.name, sent_by.id, house.reply_context()
    db.session.commit()  # end the request's read transaction: the lock below must start a new one
    _lock_house(house_id)
    now, year = utcnow(), academic_year()
    pending = not_submitted([house_id], year)
    batch = ReminderBatch(id=uuid.uuid4().hex, house_id=house_id, created_by_id=sender_id, academic_year=year,
                          created_at=now)
    db.session.add(batch)
    # Who is due is decided and recorded by the database in one statement (no row travels through Python).
    # Those who turned reminders off are neither reminded nor recorded: the count is what is really queued.
    off = has_turned_off(TEMPLATE)
    due = sa.select(User.id, sa.literal(batch.id, sa.String), sa.literal(year, sa.Integer), User.email,
                    sa.literal(now, MoveInReminder.created_at.type)).where(pending, _due(year, now), ~off)
    batch.count = db.session.execute(sa.insert(MoveInReminder).from_select(
        ["user_id", "batch_id", "academic_year", "to_address", "created_at"], due)).rowcount
    waiting, turned_off = db.session.execute(
        sa.select(sa.func.count(User.id), sa.func.sum(sa.case((off, 1), else_=0))).where(pending)).one()
    turned_off = int(turned_off or 0)
    skipped = waiting - batch.count - turned_off
    if turned_off:  # the emails they would have had now count on their preference, as enqueue_many does
        count_skipped(TEMPLATE, db.session.scalars(sa.select(User.email).where(pending, _due(year, now), off)))
    if not batch.count:
        db.session.delete(batch)  # keep the skip counts, not an empty batch
        db.session.commit()
        return ReminderResult(0, skipped, turned_off, None, None)
    last_out_by = estimate_delivery(batch.count, Purpose.BULK)  # before ours join the queue
    students = db.session.execute(
        sa.select(User.id, User.email, User.name, User.password_hash.is_(None).label("no_password"))
        .join(MoveInReminder, MoveInReminder.user_id == User.id)
        .where(MoveInReminder.batch_id == batch.id).order_by(User.id))
    form_url, invite_link = current_app.config["BASE_URL"] + url_for("move_in.form"), InviteLinks()
    common = {"house": house_name, "year": year_label(year), **reply}
    enqueue_many(TEMPLATE, [
        (s.email, {**common, "name": s.name, "set_password": bool(s.no_password),
                   "link": invite_link(s.id) if s.no_password else form_url})
        for s in students], purpose=Purpose.BULK, batch=batch.id)
    batch_id, queued = batch.id, batch.count
    db.session.commit()
    return ReminderResult(queued, skipped, turned_off, batch_id, last_out_by)


def batch_progress(batch_id: str) -> dict:
    """A batch's emails: in the queue, sent, waiting for budget, failed, unknown; and when the last should leave."""
    progress = outbox_batch_progress(batch_id)
    pending = progress["queued"] + progress["sending"]
    return {"batch": batch_id, "total": progress["total"], "queued": pending, "sent": progress["sent"],
            "waiting": progress["waiting_for_budget"], "failed": progress["failed"], "unknown": progress["unknown"],
            "estimated_done": progress["estimated_done"],
            "estimated_done_local": local_label(progress["estimated_done"]), "done": pending == 0}


def local_label(iso: str | None) -> str | None:
    """An ISO UTC time as the page shows it: "07 Dec 2026, 09:00 SAST"."""
    return when(datetime.fromisoformat(iso)) if iso else None


def latest_batch(house_id: int) -> ReminderBatch | None:
    return db.session.scalar(sa.select(ReminderBatch).where(ReminderBatch.house_id == house_id)
                             .order_by(ReminderBatch.created_at.desc()).limit(1))


def history(user_id: int) -> list[dict]:
    """A student's reminders, newest first, each with its email's delivery state."""
    rows = db.session.execute(
        sa.select(MoveInReminder, OutboxEmail.status, OutboxEmail.sent_at)
        .outerjoin(OutboxEmail, sa.and_(OutboxEmail.batch == MoveInReminder.batch_id,
                                        OutboxEmail.to_address == MoveInReminder.to_address))
        .where(MoveInReminder.user_id == user_id)
        .order_by(MoveInReminder.created_at.desc())).all()
    return [{"at": r.created_at, "batch": r.batch_id, "year": r.academic_year, "to": r.to_address,
             "status": MailStatus(status).value if status else "removed", "sent_at": sent_at}
            for r, status, sent_at in rows]
