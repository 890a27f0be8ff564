"""Hourly counts for the charts, read as few short strings rather than a row per hour."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models.errors import ErrorHourlyCount

CHUNK_HOURS = 48  # entries per concatenated string: well below MySQL's group_concat_max_len of 1024


def _hours_since(start: datetime):
    """SQL for the whole hours between `start` and ErrorHourlyCount.hour (an integer, no datetime parsing)."""
    if db.engine.dialect.name == "sqlite":
        return sa.cast(sa.func.round((sa.func.julianday(ErrorHourlyCount.hour) - sa.func.julianday(start)) * 24),
                       sa.Integer)
    return sa.func.timestampdiff(sa.text("HOUR"), start, ErrorHourlyCount.hour)


def hourly_series(group_ids: list[int], hours: int, now: datetime) -> dict[int, list[int]]:
    """Counts per hour for the last `hours` hours (oldest first), for each group."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    series = {gid: [0] * hours for gid in group_ids}
    if not group_ids:
        return series
    index = _hours_since(start)
    pairs = sa.cast(index, sa.String) + ":" + sa.cast(ErrorHourlyCount.count, sa.String)
    rows = db.session.connection().execute(
        sa.select(ErrorHourlyCount.group_id, sa.func.group_concat(pairs))
        .where(ErrorHourlyCount.group_id.in_(group_ids), ErrorHourlyCount.hour >= start)
        .group_by(ErrorHourlyCount.group_id, index // CHUNK_HOURS))
    for group_id, text in rows:
        for pair in text.split(","):
            position, count = map(int, pair.split(":"))
            if 0 <= position < hours:
                series[group_id][position] += count
    return series
