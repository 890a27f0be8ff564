"""A person's data (POPIA/GDPR): everything held about them as JSON, and anonymisation.

Anonymising keeps the residence's records whole (issues stay, reported by "Former resident") while nothing of
the person is left: their name and address are replaced everywhere they were copied (mail, error records), the
free text they wrote is removed, photos of their room and their move-in forms are deleted, their queued mail is
cancelled and their sessions end. It cannot be undone.
"""
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.session import end_sessions
from app.extensions import db
from app.models.accounts import LoginSession, OidcIdentity, User
from app.models.base import utcnow
from app.models.deliveries import AddressChange, UndeliverableAddress
from app.models.errors import ErrorGroup, ErrorOccurrence
from app.models.issues import Issue, IssueEvent, IssuePhoto, IssueSubscription
from app.models.mail import MailStatus, OutboxEmail
from app.models.move_in import MoveInForm, MoveInReminder
from app.models.residents import RoomMove
from app.photos import delete_photo

FORMER = "Former resident"
REMOVED = "(removed at the resident's request)"
CANCELLED = "account anonymised"
ANONYMISED_DOMAIN = "@anonymised.invalid"
MIN_QUOTED = 8  # characters: shorter texts of theirs are not searched for in copies


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> dict[str, Any]:
    """Everything the app holds about `user`, in one JSON-ready dict."""
    issues = db.session.scalars(sa.select(Issue).where(Issue.reporter_id == user.id).order_by(Issue.id)).all()
    events = db.session.scalars(sa.select(IssueEvent).where(IssueEvent.author_id == user.id)
                                .order_by(IssueEvent.id)).all()
    forms = db.session.scalars(sa.select(MoveInForm).where(MoveInForm.user_id == user.id)
                               .order_by(MoveInForm.id)).all()
    followed = db.session.scalars(sa.select(IssueSubscription.issue_id)
                                  .where(IssueSubscription.user_id == user.id)).all()
    sessions = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == user.id)).all()
    mail = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.to_address == user.email)
                              .order_by(OutboxEmail.id)).all()
    moves = db.session.scalars(sa.select(RoomMove).where(RoomMove.user_id == user.id).order_by(RoomMove.id)).all()
    identities = db.session.scalars(sa.select(OidcIdentity).where(OidcIdentity.user_id == user.id)).all()
    return {
        "exported_at": _stamp(utcnow()),
        "account": {"name": user.name, "email": user.email, "role": user.role.value,
                    "house": user.house.name if user.house else None,
                    "room": user.room.number if user.room else None, "created_at": _stamp(user.created_at),
                    "email_verified_at": _stamp(user.email_verified_at), "approved_at": _stamp(user.approved_at)},
        "issues": [{"id": issue.id, "house": issue.house.name, "location": issue.location_label,
                    "category": issue.category.value, "urgency": issue.urgency.value, "title": issue.title,
                    "description": issue.description, "status": issue.status.value,
                    "enter_permission": issue.enter_permission, "created_at": _stamp(issue.created_at),
                    "rating": issue.rating, "photos": len(issue.photos)} for issue in issues],
        "comments": [{"issue_id": event.issue_id, "kind": event.kind.value, "text": event.body,
                      "created_at": _stamp(event.created_at)} for event in events],
        "room_history": [{"from": move.from_room.number if move.from_room else None,
                          "to": move.to_room.number if move.to_room else None, "reason": move.reason,
                          "moved_at": _stamp(move.moved_at)} for move in moves],
        "following_issues": sorted(followed),
        "move_in_forms": [{"academic_year": form.academic_year, "room": form.room_number,
                           "status": form.status.value, "accepted_terms": form.accepted_terms,
                           "submitted_at": _stamp(form.submitted_at),
                           "answers": [{"item": answer.item_label,
                                        "condition": answer.condition.value if answer.condition else None,
                                        "comment": answer.comment, "photos": len(answer.photos)}
                                       for answer in form.answers]} for form in forms],
        "university_identities": [{"issuer": identity.issuer, "subject": identity.subject,
                                   "linked_at": _stamp(identity.created_at), "last_used": _stamp(identity.last_used_at)}
                                  for identity in identities],
        "sessions": [{"started": _stamp(record.created_at), "last_used": _stamp(record.last_seen_at),
                      "address": record.ip, "browser": record.user_agent} for record in sessions],
        "emails": [{"template": row.template, "status": row.status.value, "created_at": _stamp(row.created_at),
                    "sent_at": _stamp(row.sent_at)} for row in mail],
    }


def anonymise(user: User) -> None:
    """Replace the person by "Former resident" everywhere and delete what is theirs alone. The caller commits."""
    replacement = {**_their_writing(user), user.email: f"former-{user.id}{ANONYMISED_DOMAIN}", user.name: FORMER}
    traces = list(replacement)
    _cancel_and_scrub_mail(user.email, traces, replacement)
    _scrub_issues(user)
    _delete_move_in(user)
    _scrub_error_records(user.id, traces, replacement)
    end_sessions(user.id)
    db.session.execute(sa.delete(IssueSubscription).where(IssueSubscription.user_id == user.id))
    db.session.execute(sa.delete(OidcIdentity).where(OidcIdentity.user_id == user.id))  # the university's id of them
    db.session.execute(sa.update(RoomMove).where(RoomMove.user_id == user.id).values(reason=""))
    _forget_addresses(user)
    user.name, user.email = FORMER, replacement[user.email]
    user.password_hash, user.room_id = None, None
    user.deactivated_at = user.deactivated_at or utcnow()


def _forget_addresses(user: User) -> None:
    """The person's bounce flags and address corrections (every address they had)."""
    changes = db.session.scalars(sa.select(AddressChange).where(AddressChange.user_id == user.id)).all()
    addresses = {user.email.lower(), *(c.old_address for c in changes), *(c.new_address for c in changes)}
    db.session.execute(sa.delete(UndeliverableAddress).where(UndeliverableAddress.address.in_(addresses)))
    db.session.execute(sa.delete(AddressChange).where(AddressChange.user_id == user.id))


def _their_writing(user: User) -> dict[str, str]:
    """What the person wrote (titles, descriptions, comments) -> what replaces it where it was copied (notices
    quote it). Very short texts are left alone: they say nothing of anyone and would match unrelated words."""
    written: dict[str, str] = {}
    for title, description in db.session.execute(
            sa.select(Issue.title, Issue.description).where(Issue.reporter_id == user.id)):
        written[title], written[description] = FORMER + "'s report", REMOVED
    for body in db.session.scalars(sa.select(IssueEvent.body).where(IssueEvent.author_id == user.id)):
        written[body] = REMOVED
    return {text: new for text, new in written.items() if len(text) >= MIN_QUOTED}


def _scrub_issues(user: User) -> None:
    reported = sa.select(Issue.id).where(Issue.reporter_id == user.id)
    db.session.execute(sa.update(Issue).where(Issue.reporter_id == user.id)
                       .values(title=FORMER + "'s report", description=REMOVED))
    db.session.execute(sa.update(IssueEvent).where(IssueEvent.author_id == user.id, IssueEvent.body != "")
                       .values(body=REMOVED))
    room_photos = db.session.scalars(sa.select(IssuePhoto).join(Issue).where(
        IssuePhoto.issue_id.in_(reported), Issue.room_id.is_not(None))).all()
    for photo in room_photos:
        delete_photo(photo.key)
        db.session.delete(photo)


def _delete_move_in(user: User) -> None:
    for form in db.session.scalars(sa.select(MoveInForm).where(MoveInForm.user_id == user.id)):
        for answer in form.answers:
            for photo in answer.photos:
                delete_photo(photo.key)
        db.session.delete(form)
    db.session.execute(sa.delete(MoveInReminder).where(MoveInReminder.user_id == user.id))


def _cancel_and_scrub_mail(email: str, traces: list[str], replacement: dict[str, str]) -> None:
    db.session.execute(sa.update(OutboxEmail)
                       .where(OutboxEmail.to_address == email, OutboxEmail.status == MailStatus.QUEUED)
                       .values(status=MailStatus.FAILED, last_error=CANCELLED))
    db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.to_address == email)
                       .values(to_address=replacement[email], context={}))
    for row in _mentioning(OutboxEmail, (OutboxEmail.context,), traces):
        row.context = _replaced(row.context, replacement)


def _scrub_error_records(user_id: int, traces: list[str], replacement: dict[str, str]) -> None:
    ids = (f'"user_id": {user_id},', f'"user_id": {user_id}}}')
    for row in _mentioning(ErrorOccurrence, (ErrorOccurrence.details, ErrorOccurrence.message,
                                             ErrorOccurrence.traceback), traces + list(ids)):
        row.details = _replaced(_without_user(row.details, user_id), replacement)
        row.message = _replaced(row.message, replacement)
        row.traceback = _replaced(row.traceback, replacement)
    for group in _mentioning(ErrorGroup, (ErrorGroup.sample_details, ErrorGroup.sample_message,
                                          ErrorGroup.sample_traceback, ErrorGroup.title), traces + list(ids)):
        group.sample_details = _replaced(_without_user(group.sample_details, user_id), replacement)
        group.sample_message = _replaced(group.sample_message, replacement)
        group.sample_traceback = _replaced(group.sample_traceback, replacement)
        group.title = _replaced(group.title, replacement)


def _mentioning(model, columns: tuple, traces: list[str]) -> list:
    """Rows of `model` whose text columns hold any of `traces` (as written, or as JSON escapes them)."""
    needles = {needle for trace in traces for needle in (trace, json.dumps(trace)[1:-1])}
    conditions = [sa.cast(column, sa.Text).contains(needle, autoescape=True)
                  for column in columns for needle in needles]
    return db.session.scalars(sa.select(model).where(sa.or_(*conditions))).all()


def _without_user(details: Any, user_id: int) -> Any:
    if isinstance(details, dict) and details.get("user_id") == user_id:
        return {**details, "user_id": None}
    return details


def _replaced(value: Any, replacement: dict[str, str]) -> Any:
    """`value` with every replacement made in every string inside it."""
    if isinstance(value, str):
        for old in sorted(replacement, key=len, reverse=True):  # a description before the name inside it
            value = value.replace(old, replacement[old])
        return value
    if isinstance(value, dict):
        return {key: _replaced(item, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, replacement) for item in value]
    return value
