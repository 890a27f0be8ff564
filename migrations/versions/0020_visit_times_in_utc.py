"""visit times in UTC

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 14:00:00

Visit times were stored as the residence's wall-clock time as typed; from now on they are stored in UTC like
every other time and typed and shown in LOCAL_TIMEZONE (app/localtime.py). The stored rows move from the
configured zone to UTC, and the booked visits' notice_key (the time the student was told of) follows them.
"""
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def _to_utc(moment, zone):
    return moment.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def _to_local(moment, zone):
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)


def _shift(convert):
    zone = ZoneInfo(current_app.config['LOCAL_TIMEZONE'])
    conn = op.get_bind()
    def times():
        return sa.column('starts_at', sa.DateTime), sa.column('ends_at', sa.DateTime)

    slots = sa.table('visit_slots', sa.column('id'), *times())
    for row in conn.execute(sa.select(slots)).all():
        conn.execute(sa.update(slots).where(slots.c.id == row.id).values(
            starts_at=convert(row.starts_at, zone), ends_at=convert(row.ends_at, zone)))
    visits = sa.table('visits', sa.column('issue_id'), *times(), sa.column('notice_key'))
    for row in conn.execute(sa.select(visits)).all():
        starts_at, ends_at = convert(row.starts_at, zone), convert(row.ends_at, zone)
        conn.execute(sa.update(visits).where(visits.c.issue_id == row.issue_id).values(
            starts_at=starts_at, ends_at=ends_at, notice_key=f"{starts_at:%Y%m%dT%H%M}-{ends_at:%Y%m%dT%H%M}"))


def upgrade():
    _shift(_to_utc)


def downgrade():
    _shift(_to_local)
