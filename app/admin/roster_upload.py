"""A roster CSV uploaded in the browser: read and checked (app/auth/roster.py plans it, nothing stored), then
applied from the preview page.

Between the two steps the file's text travels in the preview's form, signed (it cannot be altered), bound to the
admin and the house, and valid for ROSTER_PREVIEW_SECONDS. Applying plans it again: if what it would change is
no longer what the admin saw, the new preview is shown instead.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from app.auth.roster import RosterPlan, RosterResult, apply_roster, plan_roster
from app.extensions import db
from app.models.accounts import User
from app.models.houses import House

MAX_BYTES = 512 * 1024  # about 7,000 students; the signed copy must fit the preview's form
ROSTER_PREVIEW_SECONDS = 3600
_SALT = "roster-upload"


class UploadError(ValueError):
    """The file or the preview cannot be used; str() is the message to show."""


@dataclass
class Preview:
    plan: RosterPlan
    token: str
    unconfirmed_shared: bool = False  # applying was refused: the file shares rooms and the admin did not say so


def read_upload(stream) -> str:
    """The text of an uploaded roster: UTF-8 (a byte-order mark is fine), not too large, no NUL byte."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadError(_("The file is larger than %(size)d KB; split the roster and upload it in parts.",
                            size=MAX_BYTES // 1024))
    if not data.strip():
        raise UploadError(_("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(_("The file is not UTF-8 text (byte %(byte)d). Save it as \"CSV UTF-8\" and upload it "
                            "again.", byte=exc.start)) from None
    if "\x00" in text:
        raise UploadError(_("The file holds NUL bytes: is it a spreadsheet rather than a CSV file? Save it as "
                            "\"CSV UTF-8\" and upload it again."))
    return text


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def preview(text: str, house: House, admin: User) -> Preview:
    """What the roster would change, and the signed token that carries it to the apply step."""
    plan = plan_roster(text, house)
    token = _serializer().dumps({"house": house.id, "by": admin.id, "text": text, "seen": plan.fingerprint})
    return Preview(plan, token)


def load(token: str, admin: User) -> tuple[House, str, str]:
    """The house, text and fingerprint of a preview this admin made. Raises UploadError."""
    try:
        data = _serializer().loads(token, max_age=ROSTER_PREVIEW_SECONDS)
    except BadData:
        raise UploadError(_("This preview has expired or is not valid: upload the roster again.")) from None
    house = db.session.get(House, data.get("house")) if isinstance(data, dict) else None
    if house is None or data.get("by") != admin.id or not admin.administers(house.id) \
            or not isinstance(data.get("text"), str):
        raise UploadError(_("This preview is not yours or its house is no longer yours: upload the roster again."))
    return house, data["text"], str(data.get("seen", ""))


def apply(token: str, admin: User, retire: bool, shared: bool = False) -> tuple[House, RosterResult | Preview]:
    """Store the previewed roster (commits), or the fresh preview when the file now has bad rows, would change
    something else than was shown, or places students in rooms others live in without `shared` (as approval
    asks). Raises UploadError."""
    house, text, seen = load(token, admin)
    fresh = preview(text, house, admin)
    if fresh.plan.errors or fresh.plan.fingerprint != seen:
        return house, fresh
    if fresh.plan.shared and not shared:
        fresh.unconfirmed_shared = True
        return house, fresh
    try:
        result = apply_roster(fresh.plan, invite=True, retire=retire, by=admin)
        db.session.commit()
    except IntegrityError:  # another admin stored one of these students a moment ago
        db.session.rollback()
        return house, preview(text, house, admin)
    return house, result
