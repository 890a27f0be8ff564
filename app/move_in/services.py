"""Students' move-in forms: load, save a draft, submit once (with an emailed copy)."""
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.emailer import enqueue
from app.extensions import db
from app.issues.labels import condition_label
from app.localtime import when
from app.models.accounts import User
from app.models.base import utcnow
from app.models.mail import Purpose
from app.models.move_in import (
    Condition,
    FormStatus,
    MoveInAnswer,
    MoveInForm,
    MoveInPhoto,
)
from app.move_in.checklist import year_label
from app.photos import (
    CleanImage,
    PhotoError,
    check_count,
    check_request,
    chosen,
    clean,
    delete_photo,
    inspect,
    store,
)

PHOTOS_PER_ITEM = 3


class AlreadySubmitted(Exception):
    """The form was submitted (maybe by another tab a moment ago): it is read-only now."""


def form_for(user_id: int, year: int, lock: bool = False) -> MoveInForm | None:
    query = sa.select(MoveInForm).where(MoveInForm.user_id == user_id, MoveInForm.academic_year == year)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def checked_photos(form) -> dict[int, list[CleanImage]] | None:
    """Every item's new photos. All are checked from their headers first (per item, then the request's caps on
    photos and pixels), and only then decoded; on a bad one the error goes on its field (or the form) and None
    returns."""
    fields = {i: field for i, _label, _condition, _comment, field in form.item_fields()}
    uploads, ok = {}, True
    try:
        check_count(sum(len(chosen(field.data)) for field in fields.values()))
    except PhotoError as error:
        form.form_errors.append(str(error))
        return None
    for i, field in fields.items():
        try:
            uploads[i] = inspect(field.data, limit=PHOTOS_PER_ITEM)
        except PhotoError as error:
            field.errors = [*field.errors, str(error)]
            ok = False
    if not ok:
        return None
    try:
        check_request([upload for group in uploads.values() for upload in group])
    except PhotoError as error:
        form.form_errors.append(str(error))
        return None
    photos = {}
    for i, field in fields.items():
        try:
            photos[i] = [clean(upload) for upload in uploads[i]]
        except PhotoError as error:
            field.errors = [*field.errors, str(error)]
            ok = False
    return photos if ok else None


def _writable_form(user: User, year: int) -> MoveInForm:
    """The user's draft for `year`, locked for this transaction, created if needed."""
    saved = form_for(user.id, year, lock=True)
    if saved is None:
        saved = MoveInForm(user_id=user.id, house_id=user.house_id, academic_year=year,
                           room_number=user.room.number if user.room else None)
        db.session.add(saved)
        try:
            db.session.flush()
        except IntegrityError:  # another request created it a moment ago
            db.session.rollback()
            saved = form_for(user.id, year, lock=True)
    if saved.is_submitted:
        raise AlreadySubmitted()
    # A draft follows the student: after a move it belongs to the new house (and its admins).
    saved.house_id, saved.room_number = user.house_id, user.room.number if user.room else None
    return saved


def _apply(saved: MoveInForm, form, photos: dict[int, list[CleanImage]], removed_photo_ids: set[int],
           files: dict[str, list[str]]) -> None:
    """Copy the form into the saved draft; files["new"] and files["removed"] collect storage keys."""
    answers = {a.item_label: a for a in saved.answers}
    keep = set()
    for i, label, condition, comment, _field in form.item_fields():
        answer = answers.get(label)
        if answer is None:
            answer = MoveInAnswer(item_label=label)
            saved.answers.append(answer)
        answer.position = i
        answer.condition = Condition(condition.data) if condition.data else None
        answer.comment = (comment.data or "").strip()
        for photo in [p for p in answer.photos if p.id in removed_photo_ids]:
            answer.photos.remove(photo)
            files["removed"].append(photo.key)
        free = PHOTOS_PER_ITEM - len(answer.photos)
        for image in photos.get(i, [])[:max(free, 0)]:
            stored = store(image)
            files["new"].append(stored.key)
            answer.photos.append(MoveInPhoto(key=stored.key, mime=stored.mime, width=stored.width,
                                             height=stored.height, size=stored.size))
        keep.add(label)
    for label, answer in answers.items():  # items the admin has since removed from the checklist
        if label not in keep:
            files["removed"].extend(p.key for p in answer.photos)
            saved.answers.remove(answer)
    saved.accepted_terms = [term for term, field in zip(form.terms, form.term_fields(), strict=True) if field.data]
    saved.updated_at = utcnow()


def save(user: User, year: int, form, photos, removed_photo_ids: set[int], submit: bool) -> MoveInForm:
    """Save the draft, or submit it; commits. Raises AlreadySubmitted when it is read-only."""
    files: dict[str, list[str]] = {"new": [], "removed": []}
    try:
        saved = _writable_form(user, year)
        _apply(saved, form, photos, removed_photo_ids, files)
        db.session.flush()
        if submit:
            _submit(user, saved)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for key in files["new"]:
            delete_photo(key)
        raise
    for key in files["removed"]:
        delete_photo(key)
    return saved


def _submit(user: User, saved: MoveInForm) -> None:
    """Draft -> submitted exactly once (a conditional UPDATE, so two racing submits cannot both win)."""
    now = utcnow()
    done = db.session.execute(
        sa.update(MoveInForm)
        .where(MoveInForm.id == saved.id, MoveInForm.status == FormStatus.DRAFT)
        .values(status=FormStatus.SUBMITTED, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise AlreadySubmitted()
    saved.status, saved.submitted_at = FormStatus.SUBMITTED, now
    _email_copy(user, saved)


def _email_copy(user: User, saved: MoveInForm) -> None:
    base = current_app.config["BASE_URL"]
    enqueue("move_in_submitted", user.email, {
        "name": user.name,
        "house": user.house.name if user.house else "",
        **(user.house.reply_context() if user.house else {}),
        "room": saved.room_number or "",
        "year": year_label(saved.academic_year),
        "submitted_at": when(saved.submitted_at),
        "items": [{"label": a.item_label, "condition": a.condition.value if a.condition else "",
                   "comment": a.comment, "photos": len(a.photos)} for a in saved.answers],
        "terms": list(saved.accepted_terms),
        "link": base + url_for("move_in.form"),
    }, purpose=Purpose.NOTICE)


# The maintenance-issues categories (app.models.issues.Category) that fit the default checklist items.
ISSUE_CATEGORIES = {
    "door and lock": "doors_locks", "light": "electrical", "plug points": "electrical", "heater": "electrical",
    "bed": "furniture", "mattress": "furniture", "desk": "furniture", "chair": "furniture",
    "cupboard": "furniture", "curtains": "furniture",
}


def issue_link(answer: MoveInAnswer) -> str:
    """The report form prefilled from a damaged or missing item (the maintenance-issues shortcut)."""
    query = urlencode({
        "category": ISSUE_CATEGORIES.get(answer.item_label.lower(), "other"),
        "location": "room",
        "title": _("%(item)s is %(condition)s", item=_(answer.item_label),
                   condition=condition_label(answer.condition).lower())[:120],
        "description": _("Recorded on my move-in form: %(comment)s", comment=answer.comment)[:2000],
    })
    return url_for("issues.new") + "?" + query
