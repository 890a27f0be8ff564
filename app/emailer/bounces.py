"""Hard bounces: an address the SMTP server refused for good at RCPT (app/emailer/transport.py `hard_bounce`) is
marked undeliverable. From then on mail to it is not sent: `enqueue` stores it as `skipped` (so the admin sees
it on the issue), the worker skips what was still queued for it, and each skip is counted on the address.
An admin's correction of the address (or a developer's clearing it) lets mail flow again."""
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models.base import utcnow
from app.models.deliveries import UndeliverableAddress
from app.models.mail import MailStatus, OutboxEmail

Bounce = tuple[int, str, str]  # (outbox id, address, the server's reply)


def normal(address: str) -> str:
    return address.strip().lower()


def why_skipped(reason: str, bounced_at: datetime) -> str:
    return f"not sent: the address bounced on {bounced_at:%Y-%m-%d %H:%M} UTC ({reason})"[:2000]


def blocked(addresses: Iterable[str]) -> dict[str, UndeliverableAddress]:
    """Of `addresses`, those marked undeliverable (by lower-cased address)."""
    wanted = {normal(address) for address in addresses}
    if not wanted:
        return {}
    query = sa.select(UndeliverableAddress).where(UndeliverableAddress.cleared_at.is_(None))
    if len(wanted) <= 50:
        query = query.where(UndeliverableAddress.address.in_(wanted))
    return {entry.address: entry for entry in db.session.scalars(query) if entry.address in wanted}


def count_skip(entry: UndeliverableAddress, count: int = 1) -> None:
    entry.skipped = (entry.skipped or 0) + count
    entry.last_skipped_at = utcnow()


def record(connection: sa.Connection, bounces: list[Bounce], now: datetime) -> int:
    """Mark the addresses of `bounces` undeliverable and skip the emails still queued for them; returns how many
    were skipped. Runs in the worker's outcome transaction, which holds the mail state lock: no two workers
    write here at once."""
    table, skipped = UndeliverableAddress.__table__, 0
    for outbox_id, address, reason in bounces:
        address, values = normal(address), {"reason": reason[:255], "bounced_at": now, "outbox_id": outbox_id,
                                            "cleared_at": None, "cleared_by": None}
        known = connection.execute(sa.select(table.c.address).where(table.c.address == address)).first()
        if known:
            connection.execute(sa.update(table).where(table.c.address == address).values(**values))
        else:
            connection.execute(sa.insert(table).values(address=address, skipped=0, **values))
        count = connection.execute(
            sa.update(OutboxEmail).where(OutboxEmail.status == MailStatus.QUEUED, OutboxEmail.to_address == address)
            .values(status=MailStatus.SKIPPED, last_error=why_skipped(reason, now), lease_owner=None, lease_until=None)
        ).rowcount
        if count:
            connection.execute(sa.update(table).where(table.c.address == address)
                               .values(skipped=table.c.skipped + count, last_skipped_at=now))
        skipped += count
    return skipped


def clear(address: str, by: str) -> bool:
    """Let mail to `address` flow again (the caller commits), saying who did it; False when it was not marked."""
    entry = db.session.get(UndeliverableAddress, normal(address))
    if entry is None or entry.cleared_at is not None:
        return False
    entry.cleared_at, entry.cleared_by = utcnow(), by[:254]
    return True


def figures() -> dict[str, int]:
    """For /healthz and /dev/mail: addresses marked undeliverable now, and emails skipped for them."""
    count, skipped = db.session.execute(
        sa.select(sa.func.count(UndeliverableAddress.address), sa.func.coalesce(sa.func.sum(
            UndeliverableAddress.skipped), 0)).where(UndeliverableAddress.cleared_at.is_(None))).one()
    return {"addresses": int(count or 0), "skipped": int(skipped or 0)}
