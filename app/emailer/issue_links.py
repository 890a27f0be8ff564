"""Which issues an email tells of, for the admin's issue page. An email about issues carries `issue_id` in its
context, or lists them under `issues` or `jobs` (each with an `issue_id`): `enqueue` links it to each of them
(outbox_issues), and a coalesced email gains the links of the issues added to it."""
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models.deliveries import outbox_issues
from app.models.issues import Issue

LISTS = ("issues", "jobs")


def issue_ids(context: dict[str, Any]) -> set[int]:
    found = [context.get("issue_id")]
    for key in LISTS:
        items = context.get(key)
        if isinstance(items, list):
            found += [item.get("issue_id") for item in items if isinstance(item, dict)]
    return {value for value in found if isinstance(value, int) and not isinstance(value, bool)}


def link(outbox_id: int, context: dict[str, Any]) -> None:
    """Link the email `outbox_id` to the (existing) issues its context tells of, once each."""
    link_all([(outbox_id, context)])


def link_all(emails: list[tuple[int, dict[str, Any]]]) -> None:
    """`link` for several (outbox id, context) pairs, in at most three statements."""
    wanted = {(outbox_id, issue_id) for outbox_id, context in emails for issue_id in issue_ids(context)}
    if not wanted:
        return
    issues = set(db.session.scalars(sa.select(Issue.id).where(Issue.id.in_({i for _o, i in wanted}))))
    wanted = {pair for pair in wanted if pair[1] in issues}
    if wanted:
        known = db.session.execute(sa.select(outbox_issues.c.outbox_id, outbox_issues.c.issue_id).where(
            outbox_issues.c.outbox_id.in_({o for o, _i in wanted}), outbox_issues.c.issue_id.in_(issues)))
        wanted -= {tuple(row) for row in known}
    if wanted:
        db.session.execute(sa.insert(outbox_issues), [{"outbox_id": o, "issue_id": i} for o, i in sorted(wanted)])
