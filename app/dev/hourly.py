"""Hourly counts for the charts, read as few short strings rather than a row per hour."""
import functools
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models.errors import ErrorHourlyCount

CHUNK_HOURS = 48  # entries per concatenated string: well below MySQL's group_concat_max_len of 1024


def _hours_since(dialect: str, start):
    """SQL for the whole hours between `start` and ErrorHourlyCount.hour (an integer, no datetime parsing)."""
    if dialect == "sqlite":
        return sa.cast(sa.func.round((sa.func.julianday(ErrorHourlyCount.hour) - sa.func.julianday(start)) * 24),
                       sa.Integer)
    return sa.func.timestampdiff(sa.text("HOUR"), start, ErrorHourlyCount.hour)


@functools.cache
def _statement(dialect: str) -> sa.Select:
    """Built once: (group_id, "index:count,...") per group and 48-hour chunk, from `start` on."""
    start = sa.bindparam("start", type_=ErrorHourlyCount.hour.type)
    index = _hours_since(dialect, start)
    pairs = sa.cast(index, sa.String) + ":" + sa.cast(ErrorHourlyCount.count, sa.String)
    return (sa.select(ErrorHourlyCount.group_id, sa.func.group_concat(pairs))
            .where(ErrorHourlyCount.group_id.in_(sa.bindparam("group_ids", expanding=True)),
                   ErrorHourlyCount.hour >= start)
            .group_by(ErrorHourlyCount.group_id, index // CHUNK_HOURS))


def hourly_series(group_ids: list[int], hours: int, now: datetime) -> dict[int, list[int]]:
    """Counts per hour for the last `hours` hours (oldest first), for each group."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    series = {gid: [0] * hours for gid in group_ids}
    if not group_ids:
        return series
    connection = db.session.connection()
    rows = connection.execute(_statement(connection.dialect.name), {"start": start, "group_ids": group_ids})
    for group_id, text in rows:
        for pair in text.split(","):
            position, count = map(int, pair.split(":"))
            if 0 <= position < hours:
                series[group_id][position] += count
    return series
