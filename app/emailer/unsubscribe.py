"""One-click unsubscribe from bulk mail (RFC 8058): signed links, the stored choice, and honouring it.

Each bulk template belongs to a kind of mail (KINDS). Its emails carry a link encrypted and authenticated with a
key from SECRET_KEY that names the recipient's address and the kind (unreadable to whoever sees the link; links
sent before, signed with the address readable, still work), so the link alone is the proof: a mail provider
POSTs to it without a session or CSRF token. Turning a kind off stores a MailPreference for the person; from
then on `enqueue` and `enqueue_many` leave that person out (counted on the preference), and what was still
queued is cancelled.
"""
import base64
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail
from app.models.mail_preferences import MailKind, MailPreference

if TYPE_CHECKING:  # cryptography is imported when a link is made or read, not at start (issue 24: memory)
    from cryptography.fernet import Fernet

T = TypeVar("T")

KINDS: dict[str, MailKind] = {
    "move_in_reminder": MailKind.MOVE_IN_REMINDERS,
    "digest": MailKind.DIGEST,
    "account_invite": MailKind.INVITATIONS,
}
LABELS = {
    MailKind.MOVE_IN_REMINDERS: _l("move-in form reminders"),
    MailKind.DIGEST: _l("the daily digest of new issues"),
    MailKind.INVITATIONS: _l("account invitations"),
}
FOOTERS = {  # whole sentences, in the email's language
    MailKind.MOVE_IN_REMINDERS: _l("To stop receiving move-in form reminders, unsubscribe here"),
    MailKind.DIGEST: _l("To stop receiving the daily digest of new issues, unsubscribe here"),
    MailKind.INVITATIONS: _l("To stop receiving account invitations, unsubscribe here"),
}
LINK_MAX_AGE_DAYS = 365  # an unsubscribe link works this long after the email was sent
SALT = "mail-unsubscribe"


class BadLink(Exception):
    """The link is not one we signed, or no longer works; `status` is the HTTP answer and the message says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Choice:
    """What a valid link asks for: this person wants no more of this kind of mail."""

    user: User
    kind: MailKind

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def done(self) -> bool:
        return db.session.get(MailPreference, (self.user.id, self.kind)) is not None


def kind_of(template: str) -> MailKind | None:
    return KINDS.get(template)


def footer_text(template: str) -> str:
    """The line above the unsubscribe link in an email of `template` ("" for mail one cannot turn off)."""
    kind = kind_of(template)
    return str(FOOTERS[kind]) if kind else ""


def _serializer() -> URLSafeTimedSerializer:
    """Links sent before they were encrypted: signed, with the address readable (still honoured)."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _cipher() -> "Fernet":
    """Links are encrypted and authenticated (AES with HMAC), so the address in them cannot be read."""
    from cryptography.fernet import Fernet

    secret = hashlib.sha256(f"{SALT}:{current_app.config['SECRET_KEY']}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(secret))


def link(template: str, address: str) -> str | None:
    """The absolute one-click unsubscribe URL for an email of `template` to `address` (None: not bulk mail)."""
    kind = kind_of(template)
    if kind is None:
        return None
    token = _cipher().encrypt(json.dumps([address.strip().lower(), kind.value]).encode()).decode().rstrip("=")
    return f"{current_app.config['BASE_URL']}/unsubscribe/{token}"


def _opened(token: str) -> tuple:
    """The (address, kind) of a link, encrypted or from before; SignatureExpired, BadSignature or ValueError."""
    from cryptography.fernet import InvalidToken

    cipher, padded = _cipher(), token + "=" * (-len(token) % 4)
    try:
        made = cipher.extract_timestamp(padded)
    except (InvalidToken, TypeError, ValueError):
        return tuple(_serializer().loads(token, max_age=LINK_MAX_AGE_DAYS * 86400))
    if time.time() - made > LINK_MAX_AGE_DAYS * 86400:
        raise SignatureExpired("expired")
    return tuple(json.loads(cipher.decrypt(padded)))


def read(token: str) -> Choice:
    """The person and kind a link names; BadLink (400 forged, 410 expired, 404 no such account) otherwise."""
    try:
        address, kind = _opened(token)
        kind = MailKind(kind)
        if not isinstance(address, str):
            raise ValueError(address)
    except SignatureExpired:
        raise BadLink(410, "This unsubscribe link has expired. Use the link in a more recent email, or ask "
                           "your house admin.") from None
    except (BadSignature, ValueError, TypeError):
        raise BadLink(400, "This unsubscribe link is not valid: it may have been cut short when it was "
                           "copied. Open it from the email again.") from None
    user = db.session.scalar(sa.select(User).where(User.email == address.strip().lower()))
    if user is None:
        raise BadLink(404, "No account has this email address any more, so it gets no such mail.")
    return Choice(user, kind)


def turn_off(choice: Choice) -> int:
    """Store the choice (once) and cancel that person's still-queued emails of the kind; commits. Returns how
    many queued emails were cancelled. Two clicks at once (the provider's POST and the person's) both succeed."""
    try:
        return _turn_off(choice)
    except sa.exc.IntegrityError:  # the other click stored the preference first: it exists now
        db.session.rollback()
        return _turn_off(choice)


def _turn_off(choice: Choice) -> int:
    preference = db.session.get(MailPreference, (choice.user.id, choice.kind))
    if preference is None:
        preference = MailPreference(user_id=choice.user.id, kind=choice.kind, skipped=0)
        db.session.add(preference)
        db.session.flush()
    templates = [template for template, kind in KINDS.items() if kind == choice.kind]
    cancelled = db.session.execute(
        sa.delete(OutboxEmail)
        .where(OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.template.in_(templates),
               OutboxEmail.to_address == choice.user.email)
        .execution_options(synchronize_session=False)).rowcount
    if cancelled:
        _count(preference, cancelled)
    db.session.commit()
    return cancelled


def _count(preference: MailPreference, skipped: int) -> None:
    preference.skipped = (preference.skipped or 0) + skipped
    preference.last_skipped_at = utcnow()


def has_turned_off(template: str):
    """Condition on User: the person turned off `template`'s kind of mail (for callers that choose recipients
    in SQL and want to say how many were left out)."""
    return sa.exists(sa.select(MailPreference.user_id).where(MailPreference.user_id == User.id,
                                                             MailPreference.kind == KINDS[template]))


def opted_out(template: str, addresses: Iterable[str]) -> set[str]:
    """Of `addresses` (lower-cased, as accounts store them), those whose person turned off `template`'s kind."""
    kind = kind_of(template)
    if kind is None:
        return set()
    wanted = {address.strip().lower() for address in addresses}
    if len(wanted) == 1:
        query = sa.select(User.email).where(User.email == next(iter(wanted)))
    else:  # everyone who turned this kind off (a few): cheaper than an IN list of a whole house
        query = sa.select(User.email)
    query = query.join(MailPreference, MailPreference.user_id == User.id).where(MailPreference.kind == kind)
    return set(db.session.scalars(query)) & wanted


def wanted(template: str, pairs: Iterable[tuple[str, T]]) -> list[tuple[str, T]]:
    """(address, anything) `pairs` but those whose person turned off `template`'s kind of mail (counted)."""
    pairs = list(pairs)
    if kind_of(template) and (left_out := opted_out(template, [to for to, _ in pairs])):
        count_skipped(template, [to for to, _ in pairs if to.strip().lower() in left_out])
        pairs = [(to, value) for to, value in pairs if to.strip().lower() not in left_out]
    return pairs


def count_skipped(template: str, addresses: Iterable[str]) -> None:
    """Count emails of `template` left out for `addresses` on their people's preferences (same transaction)."""
    kind, counts = kind_of(template), {}
    for address in addresses:
        counts[address.strip().lower()] = counts.get(address.strip().lower(), 0) + 1
    preferences = db.session.execute(
        sa.select(MailPreference, User.email).join(User, User.id == MailPreference.user_id)
        .where(MailPreference.kind == kind, User.email.in_(list(counts)))).all()
    for preference, address in preferences:
        _count(preference, counts[address])
