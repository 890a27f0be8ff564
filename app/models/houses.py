"""Houses (residences), their rooms and common areas."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow


class House(Base):
    __tablename__ = "houses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Contacts (set on /dev/houses/<slug>): replies to the house's emails go to admin_email, which waiting
    # students are also shown; the QR poster shows emergency_phone.
    admin_email: Mapped[str | None] = mapped_column(sa.String(254))
    emergency_phone: Mapped[str | None] = mapped_column(sa.String(40))
    # The language of emails to its students who chose none (app/languages.py); None: DEFAULT_LANGUAGE.
    language: Mapped[str | None] = mapped_column(sa.String(8))

    rooms: Mapped[list["Room"]] = relationship(
        back_populates="house", order_by="Room.number", cascade="all, delete-orphan"
    )
    common_areas: Mapped[list["CommonArea"]] = relationship(
        back_populates="house", order_by="CommonArea.name", cascade="all, delete-orphan"
    )

    def reply_context(self) -> dict[str, str]:
        """What an email about this house adds to its context: replies go to the house's admins, if set."""
        return {"reply_to": self.admin_email} if self.admin_email else {}

    def __repr__(self) -> str:
        return f"<House {self.slug}>"


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (sa.UniqueConstraint("house_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(sa.String(20))

    house: Mapped[House] = relationship(back_populates="rooms")


class CommonArea(Base):
    __tablename__ = "common_areas"
    __table_args__ = (sa.UniqueConstraint("house_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    house_id: Mapped[int] = mapped_column(sa.ForeignKey("houses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))

    house: Mapped[House] = relationship(back_populates="common_areas")
