"""budget.delivery_forecast: how many of a batch leave by a given time, by the arithmetic of estimate_delivery."""
import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.emailer import budget, enqueue_many, estimate_delivery
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MailStatus, OutboxEmail, Purpose

# Less than a day of history: the configured shares are reserved (14 of 20), bulk may take the other 6.
LIMITED = {"MAIL_DAILY_LIMIT": 20, "MAIL_SHARE_SECURITY": 0.1, "MAIL_SHARE_ALERT": 0.1, "MAIL_SHARE_URGENT": 0,
           "MAIL_SHARE_NOTICE": 0.5}


def test_departures_end_where_slot_time_says():
    rng, start = random.Random(20), datetime(2026, 12, 7, 8)
    for _ in range(300):
        charges = sorted(start - timedelta(minutes=rng.randrange(1, 1440)) for _ in range(rng.randrange(0, 12)))
        segments = [(rng.randrange(0, 15), rng.randrange(-1, 10)) for _ in range(rng.randrange(1, 4))]
        times = list(budget.departures(segments, charges, start))
        assert len(times) == sum(count for count, _ in segments)
        assert budget.slot_time(segments, charges, start) == (times[-1] if times else start)


@pytest.mark.parametrize("app", [LIMITED], indirect=True)
def test_how_many_leave_by_a_time_and_when_the_last_does(app):
    with app.app_context():
        now = utcnow()
        enqueue_many("password_reset", [(f"b{i}@x.ac.za", {}) for i in range(2)], purpose=Purpose.BULK)
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT, charged_at=now - timedelta(hours=1)))
        db.session.commit()
        tonight = now + timedelta(hours=5)
        assert budget.delivery_forecast(0, Purpose.BULK, tonight)[0] == 0
        for count, leaving in ((3, 3), (4, 4), (5, 4), (15, 4)):  # 6 a window, 2 used an hour ago
            today, last = budget.delivery_forecast(count, Purpose.BULK, tonight)
            assert today == leaving
            assert abs((last - estimate_delivery(count, Purpose.BULK)).total_seconds()) < 5
        budget.begin_locked().paused_until = datetime.max
        db.session.commit()
        assert budget.delivery_forecast(3, Purpose.BULK, tonight) == (0, datetime.max)
