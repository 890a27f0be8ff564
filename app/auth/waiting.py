"""What a student waiting for approval is told: how long approval usually takes in their house, and whom to ask
(the house's admins, by name and address)."""
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.models.accounts import Role, User, house_admins
from app.models.base import utcnow

SAMPLE = 200  # the house's latest approvals (those made approved, by a roster or a command, did not wait)
WAITED = timedelta(minutes=1)
SINCE = timedelta(days=365)
FEWEST = 3  # fewer approvals than this say nothing about a usual wait


@dataclass(frozen=True)
class ApprovalHelp:
    usual_wait: timedelta | None  # the median wait of the house's recent approvals; None without enough of them
    admins: list[tuple[str, str]]  # (name, address) of the house's admins who can sign in

    @property
    def usual_wait_sentence(self) -> str | None:
        """ "In this house, approval usually takes about 3 hours after you confirm your address." (None without
        enough approvals)."""
        if self.usual_wait is None:
            return None
        hours = self.usual_wait / timedelta(hours=1)
        if hours < 1:
            return _("In this house, approval usually takes less than an hour after you confirm your address.")
        if hours < 36:
            return ngettext("In this house, approval usually takes about %(num)d hour after you confirm your address.",
                            "In this house, approval usually takes about %(num)d hours after you confirm your "
                            "address.", round(hours))
        return ngettext("In this house, approval usually takes about %(num)d day after you confirm your address.",
                        "In this house, approval usually takes about %(num)d days after you confirm your address.",
                        round(hours / 24))


def approval_help(student: User) -> ApprovalHelp:
    """For `student`'s house: the usual wait between verifying an address and being approved, and its admins."""
    if student.house_id is None:
        return ApprovalHelp(None, [])
    waits = db.session.execute(
        sa.select(User.approved_at, User.email_verified_at)
        .where(User.house_id == student.house_id, User.role == Role.STUDENT, User.approved_at.is_not(None),
               User.email_verified_at.is_not(None), User.approved_at > User.email_verified_at,
               User.approved_at >= utcnow() - SINCE)
        .order_by(User.approved_at.desc()).limit(SAMPLE)).all()
    admins = db.session.execute(
        sa.select(User.name, User.email).join(house_admins, house_admins.c.user_id == User.id)
        .where(house_admins.c.house_id == student.house_id, User.deactivated_at.is_(None))
        .order_by(User.name)).all()
    waits = [approved - verified for approved, verified in waits if approved - verified > WAITED]
    usual = median(waits) if len(waits) >= FEWEST else None
    return ApprovalHelp(usual, [(name, email) for name, email in admins])
