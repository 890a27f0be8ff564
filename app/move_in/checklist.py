"""Each house's checklist and terms (defaults until an admin edits them) and the academic year rule."""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from app.models.base import utcnow
from app.models.move_in import ChecklistItem, HouseTerm


def N_(text: str) -> str:  # noqa: N802  (gettext's name: marks a text for the catalogs, translated where shown)
    return text


# Stored and matched in English (the msgid); pages show them through gettext, so a house that kept the defaults
# reads them in its language, and an admin's own items (not in the catalogs) as typed.
DEFAULT_CHECKLIST = [
    N_("Door and lock"), N_("Window"), N_("Walls"), N_("Floor"), N_("Ceiling"), N_("Light"), N_("Plug points"),
    N_("Bed"), N_("Mattress"), N_("Desk"), N_("Chair"), N_("Cupboard"), N_("Curtains"), N_("Heater"),
]
DEFAULT_TERMS = [
    N_("This form is a true record of the state of my room when I moved in."),
    N_("I will report new damage through RINAIBRA as soon as I notice it."),
    N_("I may be charged for damage beyond normal wear that is not recorded on this form."),
    N_("I have read and accept the house rules."),
]
MAX_ITEMS = 60
ITEM_MAX_LENGTH = 80
TERM_MAX_LENGTH = 500


def academic_year(now: datetime | None = None) -> int:
    """The academic year `now` falls in: it starts on the first of MOVE_IN_YEAR_START_MONTH (default January)."""
    now = now or utcnow()
    start_month = int(current_app.config["MOVE_IN_YEAR_START_MONTH"])
    return now.year if now.month >= start_month else now.year - 1


def year_label(year: int) -> str:
    """'2026' when the year starts in January, else '2026/27'."""
    if int(current_app.config["MOVE_IN_YEAR_START_MONTH"]) == 1:
        return str(year)
    return f"{year}/{(year + 1) % 100:02d}"


def checklist_for(house_id: int) -> list[str]:
    labels = db.session.scalars(
        sa.select(ChecklistItem.label).where(ChecklistItem.house_id == house_id)
        .order_by(ChecklistItem.position, ChecklistItem.id)).all()
    return list(labels) or list(DEFAULT_CHECKLIST)


def terms_for(house_id: int) -> list[str]:
    texts = db.session.scalars(
        sa.select(HouseTerm.text).where(HouseTerm.house_id == house_id)
        .order_by(HouseTerm.position, HouseTerm.id)).all()
    return list(texts) or list(DEFAULT_TERMS)


def spoken(texts: list[str]) -> list[str]:
    """Items or terms as an admin edits them: the default ones in the language spoken, their own as typed."""
    return [_(text) for text in texts]


def as_stored(lines: list[str]) -> list[str]:
    """Edited lines back as stored: a default item or term, shown in the language spoken, is kept as its English
    msgid (so every student still reads it in their own language); anything else as typed."""
    defaults = {_(text): text for text in [*DEFAULT_CHECKLIST, *DEFAULT_TERMS]}
    return [defaults.get(line, line) for line in lines]


def parse_lines(text: str, max_length: int, what: str) -> list[str]:
    """One entry per non-blank line; raises ValueError with a message for the user."""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    terms = what == "term"
    if not lines:
        raise ValueError(_("List at least one term.") if terms else _("List at least one checklist item."))
    if len(lines) > MAX_ITEMS:
        raise ValueError(_("At most %(count)d terms, please.", count=MAX_ITEMS) if terms
                         else _("At most %(count)d checklist items, please.", count=MAX_ITEMS))
    too_long = [line for line in lines if len(line) > max_length]
    if too_long:
        values = {"count": max_length, "text": too_long[0][:40]}
        raise ValueError(_("Keep each term under %(count)d characters: “%(text)s…” is longer.", **values) if terms
                         else _("Keep each checklist item under %(count)d characters: “%(text)s…” is longer.",
                                **values))
    seen = {line.lower() for line in lines}
    if len(seen) != len(lines):
        raise ValueError(_("The same term is listed twice.") if terms
                         else _("The same checklist item is listed twice."))
    return lines


def replace_lists(house_id: int, items: list[str], terms: list[str]) -> None:
    """Replace a house's checklist and terms (the caller commits). Existing forms keep their own copies."""
    db.session.execute(sa.delete(ChecklistItem).where(ChecklistItem.house_id == house_id))
    db.session.execute(sa.delete(HouseTerm).where(HouseTerm.house_id == house_id))
    db.session.add_all(ChecklistItem(house_id=house_id, label=label, position=i) for i, label in enumerate(items))
    db.session.add_all(HouseTerm(house_id=house_id, text=text, position=i) for i, text in enumerate(terms))
