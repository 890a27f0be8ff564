"""Which issues an email tells of, for the admin's issue page. An email about issues carries `issue_id` in its
context, or lists them under `issues` or `jobs` (each with an `issue_id`): `enqueue` links it to each of them
(outbox_issues), and a coalesced email gains the links of the issues added to it."""
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models.deliveries import outbox_issues
from app.models.issues import Issue

LISTS = ("issues", "jobs")


def issue_ids(context: dict[str, Any] | None) -> set[int]:
    context = context or {}
    found = [context.get("issue_id")]
    for key in LISTS:
        items = context.get(key)
        if isinstance(items, list):
            found += [item.get("issue_id") for item in items if isinstance(item, dict)]
    return {value for value in found if isinstance(value, int) and not isinstance(value, bool)}


def _in_session(issue_id: int) -> bool:
    """The issue is loaded (or written) in this transaction: it exists, no need to ask the database."""
    issue = db.session.identity_map.get(identity_key(Issue, issue_id))
    if issue is None:
        return False
    state = sa.inspect(issue)
    return state.persistent and not state.expired


def link_all(emails: Iterable[tuple[int, Iterable[int]]]) -> None:
    """Link each (outbox id, issue ids) email to those of its issues that exist, once each (a link already there
    is left as it is): one INSERT, and one read of the issues this transaction has not loaded."""
    wanted = {(outbox_id, issue_id) for outbox_id, ids in emails for issue_id in ids}
    unknown = {issue_id for _o, issue_id in wanted if not _in_session(issue_id)}
    if unknown:
        missing = unknown - set(db.session.scalars(sa.select(Issue.id).where(Issue.id.in_(unknown))))
        wanted = {pair for pair in wanted if pair[1] not in missing}
    if not wanted:
        return
    if db.session.get_bind().dialect.name == "sqlite":
        statement = sqlite_insert(outbox_issues).on_conflict_do_nothing()
    else:
        statement = mysql_insert(outbox_issues)
        statement = statement.on_duplicate_key_update(issue_id=statement.inserted.issue_id)
    db.session.execute(statement, [{"outbox_id": o, "issue_id": i} for o, i in sorted(wanted)])
