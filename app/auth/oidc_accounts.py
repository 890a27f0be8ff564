"""Which account a verified university sign-in is (app/auth/oidc.py checks the tokens; this decides who).

- An account that signed in before is found by the provider's issuer and subject, whatever its address is now.
- The first time, by the address the provider proves (OIDC_EMAIL_CLAIM, `email_verified` when
  OIDC_REQUIRE_EMAIL_VERIFIED, a domain of OIDC_ALLOWED_DOMAINS); the identity is then stored on the account.
  The sign-in proves the address: a roster student is confirmed in their roster house and room, an invited
  admin or staff member, or a password account waiting for its verification link, is verified. No email.
- A deactivated account is refused; an address with no account is a newcomer, who gives a house and room and
  waits for a house admin's approval, as after registering.
"""
import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from app.auth.rules import email_mailable, email_valid, name_problem
from app.auth.services import find_user
from app.extensions import db
from app.form_messages import N_
from app.models.accounts import OidcIdentity, Role, User
from app.models.base import utcnow
from app.models.houses import House, Room


class Refusal(enum.Enum):
    NO_EMAIL = N_("Your university account did not tell us an email address, so we cannot tell which account is "
                  "yours. Ask the residence office to check the sign-in settings.")
    NOT_VERIFIED = N_("Your university has not confirmed the email address of this account, so it cannot be used "
                      "to sign in here.")
    DOMAIN = N_("That university account's address (%(email)s) is not one of the residence's university addresses.")
    DEACTIVATED = N_("This account is deactivated. Ask your house admin if you think that is a mistake.")
    OTHER_IDENTITY = N_("The account for %(email)s is already linked to another university account. Ask the "
                        "residence office for help.")


@dataclass
class Match:
    """A sign-in's outcome: the account, or a refusal, or a newcomer (no account has the proven address)."""
    user: User | None = None
    refusal: Refusal | None = None
    newcomer: dict[str, str] | None = None  # issuer, subject, email, name
    email: str = ""

    def message(self) -> str:
        return gettext(self.refusal.value, email=self.email) if self.refusal else ""


def proven_email(claims: dict[str, Any]) -> tuple[str | None, Refusal | None]:
    """The address the provider vouches for, lower-cased, or why there is none we may use."""
    config = current_app.config
    email = claims.get(config["OIDC_EMAIL_CLAIM"])
    if not isinstance(email, str) or not email_valid(email.strip()) or not email_mailable(email.strip()):
        return None, Refusal.NO_EMAIL
    email = email.strip().lower()
    if config["OIDC_REQUIRE_EMAIL_VERIFIED"] and claims.get("email_verified") is not True:
        return email, Refusal.NOT_VERIFIED
    domain, allowed = email.rsplit("@", 1)[1], config["OIDC_ALLOWED_DOMAINS"]
    if allowed and not any(domain == d or domain.endswith("." + d) for d in allowed):
        return email, Refusal.DOMAIN
    return email, None


def _display_name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    name = " ".join(name.split())[:120] if isinstance(name, str) else ""
    return name if name and not name_problem(name) else email.split("@", 1)[0]


def sign_in(claims: dict[str, Any]) -> Match:
    """`match`, committed when it found the account (and again when a parallel first sign-in of the same person
    linked the identity first: then it is found by it). Nothing is stored for a refusal or a newcomer."""
    found = match(claims)
    if found.user is None:
        db.session.rollback()
        return found
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = match(claims)
        db.session.commit()
    return found


def match(claims: dict[str, Any]) -> Match:
    """The account of a verified ID token's claims (the caller commits). Never creates an account."""
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    identity = db.session.scalar(sa.select(OidcIdentity).where(
        OidcIdentity.issuer == issuer, OidcIdentity.subject == subject))
    if identity is not None:
        return _signed_in(identity.user, identity)
    email, refusal = proven_email(claims)
    if refusal is not None:
        return Match(refusal=refusal, email=email or "")
    user = find_user(email)
    if user is None:
        return Match(newcomer={"issuer": issuer, "subject": subject, "email": email,
                               "name": _display_name(claims, email)})
    if user.is_deactivated:
        return Match(refusal=Refusal.DEACTIVATED)
    if db.session.scalar(sa.select(OidcIdentity.id).where(OidcIdentity.user_id == user.id,
                                                          OidcIdentity.issuer == issuer)) is not None:
        return Match(refusal=Refusal.OTHER_IDENTITY, email=email)
    identity = OidcIdentity(user=user, issuer=issuer, subject=subject)
    db.session.add(identity)
    return _signed_in(user, identity)


def _signed_in(user: User, identity: OidcIdentity) -> Match:
    if user.is_deactivated:
        return Match(refusal=Refusal.DEACTIVATED)
    now = utcnow()
    identity.last_used_at = now
    if user.email_verified_at is None:
        user.email_verified_at = now  # the university proved the address: no verification email
    return Match(user=user)


def create_newcomer(newcomer: dict[str, str], house: House, room: Room) -> User | None:
    """A student account for a proven address with no account: verified, waiting for a house admin's approval,
    no password. Commits. None when another request created the account or the identity first."""
    user = User(email=newcomer["email"], name=newcomer["name"], role=Role.STUDENT, house=house, room=room,
                approved_at=sa.null())
    db.session.add(user)
    db.session.add(OidcIdentity(user=user, issuer=newcomer["issuer"], subject=newcomer["subject"]))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return user
