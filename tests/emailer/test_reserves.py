"""Reserves follow measured demand: the arithmetic as properties over random histories and queues, the forecast
from the outbox's history, kept a few minutes, and its fallback to the configured shares."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.emailer import budget, forecast
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import PRIORITY, MailStatus, OutboxEmail, Purpose
from tests.conftest import MONITOR

ABOVE = forecast.ABOVE_BULK
ORDER = sorted(Purpose, key=PRIORITY.get)
counts = st.integers(min_value=0, max_value=400)


def claim(limit: int, used: dict, reserved: dict, queued: dict) -> dict:
    """What a claim does: queued rows in priority order, each while its purpose has room (claims.py)."""
    used = dict(used)
    for purpose in ORDER:
        for _ in range(queued[purpose]):
            if budget.room_in(limit, purpose, used, reserved) <= 0:
                break
            used[purpose] += 1
    return used


def fits(limit: int, used: dict, reserved: dict) -> bool:
    return sum(used.values()) + sum(max(0, reserved[q] - used[q]) for q in ABOVE) <= limit


@st.composite
def days(draw):
    limit = draw(st.integers(min_value=1, max_value=3000))
    reserved = {purpose: draw(st.integers(min_value=0, max_value=limit // 4)) for purpose in ABOVE}
    reserved[Purpose.BULK] = 0
    used = {purpose: draw(st.integers(min_value=0, max_value=limit // 5)) for purpose in Purpose}
    queued = {purpose: draw(counts) for purpose in Purpose}
    return limit, used, reserved, queued


@settings(max_examples=400, deadline=None)
@given(days())
def test_claims_keep_every_reserve_and_the_limit(day):
    limit, used, reserved, queued = day
    assume(fits(limit, used, reserved))  # the reserves fit the window now (they always do, unless it shrank)
    after = claim(limit, used, reserved, queued)
    assert sum(after.values()) <= limit  # the window never passes the limit
    assert fits(limit, after, reserved)
    for purpose in ABOVE:  # never left with less than forecast: what it may still take covers its unmet reserve
        assert budget.room_in(limit, purpose, after, reserved) >= reserved[purpose] - after[purpose]
    took = after[Purpose.BULK] - used[Purpose.BULK]  # bulk never takes a forecast reserve (fits, above)
    # a burst above its reserve still leaves first: it took the shared room before bulk did
    for purpose in ABOVE:
        if after[purpose] < used[purpose] + queued[purpose]:  # some of it waits
            assert took == 0 or budget.room_in(limit, purpose, after, reserved) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ABOVE), st.integers(min_value=0, max_value=14 * 24 * 60 - 1)),
                max_size=300))
def test_a_peak_is_the_highest_24_hours_of_the_history(events):
    start = datetime(2026, 11, 1)
    times = [(purpose, start + timedelta(minutes=minute)) for purpose, minute in events]
    peaks = forecast.peak_by_hour(times, start, 14 * 24)
    for purpose in ABOVE:
        hourly = [0] * (14 * 24)
        for p, minute in events:
            if p == purpose:
                hourly[minute // 60] += 1
        assert peaks[purpose] == max(sum(hourly[h:h + 24]) for h in range(14 * 24 - 23))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(peaks=st.fixed_dictionaries({purpose: st.integers(min_value=0, max_value=5000) for purpose in ABOVE}),
       limit=st.integers(min_value=1, max_value=5000), margin=st.floats(min_value=0, max_value=3))
def test_a_learned_reserve_covers_its_peak_within_its_share(app, peaks, limit, margin):
    with app.app_context():
        app.config.update(MAIL_DAILY_LIMIT=limit, MAIL_RESERVE_MARGIN=margin)
        found = forecast.learned(peaks, 14)
        for purpose in ABOVE:
            share = int(limit * app.config[f"MAIL_SHARE_{purpose.name}"])
            assert found[purpose].slots <= share
            assert found[purpose].slots >= min(share, peaks[purpose])
        assert found[Purpose.BULK].slots == 0


def charge(app, purpose: Purpose, at: datetime, count: int = 1) -> None:
    with app.app_context():
        db.session.execute(sa.insert(OutboxEmail.__table__), [
            {"template": "t", "to_address": "x@example.ac.za", "context": {}, "purpose": purpose,
             "priority": PRIORITY[purpose], "cause": "system", "status": MailStatus.SENT, "logo": True,
             "attempts": 0, "send_after": at, "created_at": at, "charged_at": at, "sent_at": at}] * count)
        db.session.commit()


DAY = {"MAIL_DAILY_LIMIT": 2000}


@pytest.mark.parametrize("app", [DAY], indirect=True)
def test_two_weeks_of_ordinary_use_leave_the_rest_of_the_day_to_bulk(app):
    now = utcnow()
    for day in range(1, 15):
        at = now - timedelta(days=day, hours=3)
        for purpose, count in ((Purpose.SECURITY, 10), (Purpose.ALERT, 5), (Purpose.URGENT, 2),
                               (Purpose.NOTICE, 120)):
            charge(app, purpose, at, count)
    with app.app_context():
        reserves = budget.reserves()
        assert {p: r.slots for p, r in reserves.items()} == {
            Purpose.SECURITY: 120, Purpose.ALERT: 20, Purpose.URGENT: 20, Purpose.NOTICE: 180, Purpose.BULK: 0}
        assert reserves[Purpose.NOTICE].learned == "learned: at most 120 in 24 h over 14 days, +50%"
        assert "anonymous ceiling" in reserves[Purpose.SECURITY].learned
        assert budget.room(Purpose.BULK, budget.used_by_purpose()) == 2000 - 340  # not 25 % of the day


@pytest.mark.parametrize("app", [DAY], indirect=True)
def test_the_forecast_is_kept_on_the_state_row_for_some_minutes(app):
    charge(app, Purpose.NOTICE, utcnow() - timedelta(days=2), 200)
    with app.app_context():
        state = budget.begin_locked()
        assert budget.reserved(state, keep=True)[Purpose.NOTICE] == 300
        db.session.commit()
    charge(app, Purpose.NOTICE, utcnow() - timedelta(days=1, hours=1), 300)  # a bigger day, learned later
    with app.app_context():
        assert budget.reserved()[Purpose.NOTICE] == 300  # kept
        state = budget.begin_locked()
        state.reserves_at -= forecast.KEEP
        db.session.commit()
        assert budget.reserved()[Purpose.NOTICE] == 750


@pytest.mark.parametrize("app", [DAY], indirect=True)
def test_an_unreadable_history_falls_back_to_the_shares_and_says_so(app, client, login, developer, monkeypatch):
    charge(app, Purpose.NOTICE, utcnow() - timedelta(days=2))

    def broken(statement, *args, **kwargs):
        if "min(outbox.charged_at)" in str(statement):
            raise sa.exc.OperationalError(str(statement), {}, Exception("table is marked as crashed"))
        return real(statement, *args, **kwargs)

    real = db.session.scalar
    monkeypatch.setattr(db.session, "scalar", broken)
    with app.app_context():
        reserves = budget.reserves()
        assert reserves[Purpose.NOTICE].slots == 800  # MAIL_SHARE_NOTICE of 2000
        assert reserves[Purpose.NOTICE].learned == "configured share (the history could not be read: OperationalError)"
    page = login(developer).get("/dev/mail").get_data(as_text=True)
    assert "the history could not be read" in page
    assert '<strong id="bulk-room">800</strong>' in page  # 2000 - (200 + 100 + 100 + 800): the shares
    assert 'id="bulk-clears">no bulk mail queued' in page
    assert client.get("/healthz", headers=MONITOR).status_code == 200


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 500}], indirect=True)
def test_mail_plan_says_how_long_and_what_to_change(app, runner):
    now = utcnow()
    for day in range(1, 15):
        charge(app, Purpose.NOTICE, now - timedelta(days=day, hours=3), 120)
    result = runner.invoke(args=["mail", "plan", "--students", "1500"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "notice       180" in out and "learned: at most 120 in 24 h over 14 days" in out
    assert "Bulk mail (invitations, reminders) may use the other 280 a day" in out  # 500 - 180 - 30 - 5 - 5
    assert "Invitations to 1500 students: by " in out and "To send both within one day: raise MAIL_DAILY_LIMIT to " \
        "at least 3220" in out
    small = runner.invoke(args=["mail", "plan", "--students", "100"]).output
    assert "Both fit in one day: nothing to change." in small
    assert runner.invoke(args=["mail", "plan", "--students", "0"]).exit_code == 2
