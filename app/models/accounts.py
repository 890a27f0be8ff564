"""User accounts, roles, house admin memberships, login sessions and university sign-in identities.

An account may act (report, comment, "me too", move-in form) and receives notices only while it is in good
standing: its address is verified, a house admin (or the roster) approved it, and it is not deactivated.
"""
import enum
import hashlib
import threading
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, str_enum, utcnow
from app.models.houses import House, Room

# werkzeug's scrypt (n=2**15, r=8) takes 32 MB while it runs: 8 threads signing in at once took a worker to 280-320 MB
# in bench_load. One hash at a time per process costs no throughput (one worker per core) and 32 MB at most.
_hashing = threading.Lock()


def hash_password(password: str) -> str:
    with _hashing:
        return generate_password_hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    with _hashing:
        return check_password_hash(password_hash, password)


class Role(enum.StrEnum):
    STUDENT = "student"
    ADMIN = "admin"
    DEVELOPER = "developer"
    STAFF = "staff"  # maintenance staff and contractors: the jobs assigned to them, in their houses


house_admins = sa.Table(
    "house_admins",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("house_id", sa.ForeignKey("houses.id", ondelete="CASCADE"), primary_key=True),
)

house_staff = sa.Table(
    "house_staff",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("house_id", sa.ForeignKey("houses.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SignInMethod(enum.StrEnum):
    """How a login session was started (listed on the sessions page)."""
    PASSWORD = "password"
    UNIVERSITY = "university"


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.STUDENT)
    # Null until the user sets one (students created by a roster import).
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    house_id: Mapped[int | None] = mapped_column(sa.ForeignKey("houses.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Accounts made by trusted code (`flask users create`, the demo seed, tests, benchmarks) start verified and
    # approved; /register and the roster import make theirs with User.unverified.
    email_verified_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None]
    # The language pages and emails speak to them (app/languages.py); None: their house's, else the default.
    language: Mapped[str | None] = mapped_column(sa.String(8))

    house: Mapped[House | None] = relationship(foreign_keys=[house_id])
    room: Mapped[Room | None] = relationship()
    admin_houses: Mapped[list[House]] = relationship(secondary=house_admins, order_by=House.name)
    staff_houses: Mapped[list[House]] = relationship(secondary=house_staff, order_by=House.name)

    @classmethod
    def unverified(cls, approved: bool = False, **fields) -> "User":
        """A new account that must verify its address and, unless `approved`, wait for a house admin. NULL is
        written explicitly (a None would let the column default fill in "now"); it reads as None once flushed."""
        return cls(email_verified_at=sa.null(), approved_at=utcnow() if approved else sa.null(), **fields)

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and password_matches(self.password_hash, password)

    @property
    def password_stamp(self) -> str:
        """Changes whenever the password does. A digest: no part of the hash travels in links or cookies."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    def __eq__(self, other: object) -> bool:
        """The same account (UserMixin compares session tokens, which only a signed-in user has)."""
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def get_id(self) -> str:
        """Flask-Login: the login session's token (app/auth/session.py), set when a session starts or loads."""
        token = getattr(self, "session_token", None)
        if token is None:
            raise RuntimeError("log users in with app.auth.session.start_session")
        return token

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_deactivated(self) -> bool:
        return self.deactivated_at is not None

    @property
    def is_active(self) -> bool:
        """Flask-Login: only a verified account that is not deactivated may log in."""
        return self.is_verified and not self.is_deactivated

    @property
    def awaiting_approval(self) -> bool:
        """A student who registered themselves and whom no house admin has approved yet."""
        return self.role == Role.STUDENT and not self.is_approved

    @hybrid_property
    def in_good_standing(self) -> bool:
        """Verified, approved and not deactivated: may act and receives notices (a SQL condition on the class)."""
        return self.is_verified and self.is_approved and not self.is_deactivated

    @in_good_standing.inplace.expression
    @classmethod
    def _in_good_standing_expression(cls):
        return sa.and_(cls.email_verified_at.is_not(None), cls.approved_at.is_not(None),
                       cls.deactivated_at.is_(None))

    @property
    def standing(self) -> str:
        """A short label for admin pages."""
        if self.is_deactivated:
            return _l("Deactivated")
        if not self.is_verified:
            return _l("Email not confirmed")
        return _l("Waiting for approval") if not self.is_approved else _l("Active")

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_developer(self) -> bool:
        return self.role == Role.DEVELOPER

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    @property
    def staff_house_ids(self) -> set[int]:
        return {house.id for house in self.staff_houses}

    def works_in(self, house_id: int) -> bool:
        """A staff member linked to the house (they may be given its jobs)."""
        return self.is_staff and house_id in self.staff_house_ids

    @property
    def admin_house_ids(self) -> set[int]:
        return {house.id for house in self.admin_houses}

    def administers(self, house_id: int) -> bool:
        return self.is_admin and house_id in self.admin_house_ids

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class LoginSession(Base):
    """One signed-in browser: the cookie carries a random token, the table only its SHA-256. Ending the session
    deletes the row, and a copied cookie stops working at once."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(255))
    method: Mapped[SignInMethod] = mapped_column(str_enum(SignInMethod), default=SignInMethod.PASSWORD,
                                                 server_default=SignInMethod.PASSWORD.value)

    user: Mapped[User] = relationship()


class OidcIdentity(Base):
    """An account's identity at the university's OpenID Provider: its issuer and subject, which stay the same when
    the address changes there. Found by (issuer, subject) on every sign-in after the first."""

    __tablename__ = "oidc_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
