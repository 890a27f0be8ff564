"""User accounts, roles, house admin memberships and the login throttle."""
import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, str_enum, utcnow
from app.models.houses import House, Room


class Role(enum.StrEnum):
    STUDENT = "student"
    ADMIN = "admin"
    DEVELOPER = "developer"


house_admins = sa.Table(
    "house_admins",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("house_id", sa.ForeignKey("houses.id", ondelete="CASCADE"), primary_key=True),
)


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

    house: Mapped[House | None] = relationship(foreign_keys=[house_id])
    room: Mapped[Room | None] = relationship()
    admin_houses: Mapped[list[House]] = relationship(secondary=house_admins, order_by=House.name)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def password_stamp(self) -> str:
        """Changes whenever the password does. A digest: no part of the hash travels in links or cookies."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """The login session's id (Flask-Login): tied to the password, so setting a new one ends every
        other session of this account, remembered ones included."""
        return f"{self.id}.{self.password_stamp}"

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
    def admin_house_ids(self) -> set[int]:
        return {house.id for house in self.admin_houses}

    def administers(self, house_id: int) -> bool:
        return self.is_admin and house_id in self.admin_house_ids

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class LoginFailure(Base):
    """One failed login, kept for the throttle window (shared by every process)."""

    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_email_created", "email", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
