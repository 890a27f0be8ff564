"""The emails an issue caused, for its admin page (templates/admin/_deliveries.html): to whom, what, where each
stands and when; and whether the reporter's address bounced."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.admin.labels import role_label
from app.emailer import bounces
from app.extensions import db
from app.models.accounts import User
from app.models.deliveries import UndeliverableAddress, outbox_issues
from app.models.issues import Issue
from app.models.mail import MailStatus, OutboxEmail

LISTED = 100  # the newest this many
TEMPLATES = {"issue_update": _l("status update"), "issue_new": _l("new issue"),
             "issue_comments": _l("student comment"), "issue_overdue": _l("overdue notice"),
             "digest": _l("daily digest"), "jobs_assigned": _l("job assigned")}
STATES = {MailStatus.QUEUED: _l("queued"), MailStatus.SENDING: _l("queued"), MailStatus.SENT: _l("sent"),
          MailStatus.FAILED: _l("failed"), MailStatus.SKIPPED: _l("skipped"), MailStatus.UNKNOWN: _l("unknown")}
WITHDRAWN = _l("withdrawn")  # not sent: nothing new was left to say (app/emailer/fresh.py)


@dataclass(frozen=True)
class Delivery:
    email: OutboxEmail
    recipient: User | None
    flag: UndeliverableAddress | None  # the address is marked undeliverable now

    @property
    def who(self) -> str:
        user = self.recipient
        if user is None:
            return _("maintenance desk") if self.email.template == "issue_new" else "—"
        return _("%(name)s (%(role)s)", name=user.name, role=role_label(user.role))

    @property
    def what(self) -> str:
        return str(TEMPLATES.get(self.email.template, self.email.template.replace("_", " ")))

    @property
    def state(self) -> str:
        """"withdrawn" for an email that was not sent because it had nothing new left to say."""
        if self.email.status == MailStatus.FAILED and (self.email.last_error or "").startswith("withdrawn: "):
            return str(WITHDRAWN)
        return str(STATES[self.email.status])

    @property
    def when(self) -> datetime:
        email = self.email
        if email.status == MailStatus.SENT and email.sent_at:
            return email.sent_at
        if email.status in (MailStatus.FAILED, MailStatus.UNKNOWN) and email.last_attempt_at:
            return email.last_attempt_at
        return email.created_at

    @property
    def detail(self) -> str:
        email = self.email
        if email.status == MailStatus.QUEUED:
            return ngettext("retrying after %(num)d attempt: %(error)s", "retrying after %(num)d attempts: %(error)s",
                            email.attempts, error=email.last_error) if email.attempts else ""
        return "" if email.status == MailStatus.SENT else email.last_error or ""


def of_issue(issue: Issue) -> list[Delivery]:
    """The emails linked to `issue` (app/emailer/issue_links.py), newest first."""
    emails = db.session.scalars(
        sa.select(OutboxEmail).join(outbox_issues, outbox_issues.c.outbox_id == OutboxEmail.id)
        .where(outbox_issues.c.issue_id == issue.id).order_by(OutboxEmail.id.desc()).limit(LISTED)).all()
    addresses = {bounces.normal(email.to_address) for email in emails}
    users = {user.email: user for user in db.session.scalars(
        sa.select(User).where(User.email.in_(addresses)))} if addresses else {}
    flags = bounces.blocked(addresses)
    return [Delivery(email, users.get(bounces.normal(email.to_address)), flags.get(bounces.normal(email.to_address)))
            for email in emails]


def flag_of(user: User) -> UndeliverableAddress | None:
    """The bounce flag on `user`'s address, if it is marked undeliverable."""
    return bounces.blocked([user.email]).get(bounces.normal(user.email))


def flags_of(users: list[User]) -> dict[int, UndeliverableAddress]:
    """User id -> bounce flag, for the users whose address is marked undeliverable."""
    flags = bounces.blocked(user.email for user in users)
    return {user.id: flags[bounces.normal(user.email)] for user in users if bounces.normal(user.email) in flags}
