"""Visits: the reporter offers times (validated), the assignee or a house admin books one, the student is
emailed once (double clicks and parallel posts too), and the timeline records both."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.issues import visits
from app.localtime import stored, when
from app.models import Role
from app.models.issues import EventKind, Issue, IssueEvent
from app.models.mail import MailStatus, OutboxEmail
from app.models.visits import DayPart, Visit, VisitSlot
from tests.conftest import settings_for
from tests.races import race
from tests.staff.conftest import assign

NOW = datetime(2026, 12, 7, 12, 30)  # UTC: 14:30 in Johannesburg
LONDON = [{"LOCAL_TIMEZONE": "Europe/London"}]


def day(offset: int) -> str:
    """A date `offset` days from today in the residence (the default LOCAL_TIMEZONE)."""
    return (datetime.now(ZoneInfo("Africa/Johannesburg")).date() + timedelta(days=offset)).isoformat()


def slots_form(*rows, enter=False) -> dict:
    data = {"enter_permission": "y"} if enter else {}
    for n, (d, part, start, end) in enumerate(rows):
        data.update({f"day-{n}": d, f"part-{n}": part, f"from-{n}": start, f"to-{n}": end})
    return data


def slots(app, issue_id):
    with app.app_context():
        return [(s.part.value, s.starts_at, s.ends_at) for s in
                db.session.scalars(sa.select(VisitSlot).where(VisitSlot.issue_id == issue_id).order_by(VisitSlot.id))]


def events(app, issue_id, kind):
    with app.app_context():
        return list(db.session.scalars(sa.select(IssueEvent.body).where(
            IssueEvent.issue_id == issue_id, IssueEvent.kind == kind).order_by(IssueEvent.id)))


def said_when(context: dict) -> str:
    """The visit's time as the email says it in English (the context holds UTC times and the day part)."""
    from app.emailer.labels import window_label

    return window_label(context["starts_at"], context["ends_at"], context["part"])


def visit_mails(app):
    with app.app_context():
        return [(e.to_address, said_when(e.context)) for e in db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.template == "visit_booked").order_by(OutboxEmail.id))]


@pytest.mark.parametrize("day_raw, part, start, end, message", [
    ("2026-12-06", "morning", "", "", "That date has passed"),
    ("2026-12-22", "morning", "", "", "within the next 14 days"),
    ("2026-12-07", "morning", "", "", "That time has passed"),
    ("8 Dec", "morning", "", "", "calendar date"),
    ("2026-12-08\x00", "morning", "", "", "calendar date"),
    ("2026-12-08", "noon", "", "", "Choose morning"),
    ("2026-12-08", "times", "14:00", "14:10", "at least 30 minutes"),
    ("2026-12-08", "times", "15:00", "14:00", "at least 30 minutes"),
    ("2026-12-08", "times", "1\r\n4:00", "15:00", "hours and minutes"),
    ("2026-12-08", "times", "25:00", "26:00", "hours and minutes"),
])
def test_offered_times_are_checked(app, day_raw, part, start, end, message):
    with app.app_context(), pytest.raises(visits.VisitError, match=message):
        visits.parse_window(day_raw, part, start, end, now=NOW)


def test_offered_times_within_the_window(app):
    with app.app_context():
        assert visits.parse_window("", "", "", "", now=NOW) is None
        afternoon = visits.parse_window("2026-12-07", "afternoon", now=NOW)
        last = visits.parse_window("2026-12-21", "times", "18:15", "19:00", now=NOW)
        assert last.label == "Mon 21 Dec 2026, 18:15–19:00 SAST"
        assert afternoon.label == "Mon 7 Dec 2026, afternoon (12:00–17:00 SAST)"
    # typed in Johannesburg time (UTC+2), stored in UTC
    assert (afternoon.starts_at, afternoon.ends_at) == (datetime(2026, 12, 7, 10), datetime(2026, 12, 7, 15))


def test_the_local_day_decides_what_has_passed(app):
    late = datetime(2026, 12, 7, 22, 30)  # UTC, but already 8 December, 00:30, in Johannesburg
    with app.app_context():
        with pytest.raises(visits.VisitError, match="That date has passed"):
            visits.parse_window("2026-12-07", "evening", now=late)
        assert visits.parse_window("2026-12-08", "morning", now=late).starts_at == datetime(2026, 12, 8, 6)


@pytest.mark.parametrize("app", LONDON, indirect=True)
def test_a_zone_with_summer_time_across_the_change(app):
    before = datetime(2027, 3, 26, 12)  # UTC; UK clocks go forward at 01:00 UTC on Sunday 28 March 2027
    with app.app_context():
        saturday = visits.parse_window("2027-03-27", "times", "09:00", "10:00", now=before)
        monday = visits.parse_window("2027-03-29", "times", "09:00", "10:00", now=before)
        overnight = visits.parse_window("2027-03-28", "times", "00:30", "03:00", now=before)
        assert saturday.starts_at == datetime(2027, 3, 27, 9) and monday.starts_at == datetime(2027, 3, 29, 8)
        assert saturday.label == "Sat 27 Mar 2027, 09:00–10:00 GMT"
        assert monday.label == "Mon 29 Mar 2027, 09:00–10:00 BST"
        assert (overnight.starts_at, overnight.ends_at) == (datetime(2027, 3, 28, 0, 30), datetime(2027, 3, 28, 2))
        assert overnight.label == "Sun 28 Mar 2027, 00:30–03:00 BST"
        assert when(datetime(2027, 3, 29, 8)) == "29 Mar 2027, 09:00 BST"
        assert when(datetime(2027, 3, 27, 9)) == "27 Mar 2027, 09:00 GMT"


def test_a_bad_time_zone_is_a_start_up_error(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("LOCAL_TIMEZONE", "Africa/Atlantis")
    with pytest.raises(ConfigError, match="LOCAL_TIMEZONE='Africa/Atlantis' is not valid: not a known IANA"):
        create_app(settings_for(database_url, tmp_path))
    monkeypatch.setenv("LOCAL_TIMEZONE", "../../etc/passwd")
    with pytest.raises(ConfigError, match="LOCAL_TIMEZONE="):
        create_app(settings_for(database_url, tmp_path))


def test_reporter_gives_times(app, client, login, student, room_issue):
    login(student)
    response = client.post(f"/issues/{room_issue}/availability", data=slots_form(
        (day(3), "evening", "", ""), (day(1), "times", "07:30", "08:15"), ("", "", "", ""), enter=True))
    assert response.status_code == 302
    stored = slots(app, room_issue)
    assert [part for part, *_ in stored] == ["times", "evening"]  # in time order
    with app.app_context():
        assert db.session.get(Issue, room_issue).enter_permission is True
    assert "Staff may enter when I am out." in events(app, room_issue, EventKind.AVAILABILITY)[0]
    page = client.get(f"/issues/{room_issue}").get_data(as_text=True)
    assert "Gave times for a visit" in page and 'value="07:30"' in page


def test_bad_times_store_nothing_and_keep_the_input(app, client, login, student, room_issue):
    login(student)
    client.post(f"/issues/{room_issue}/availability", data=slots_form((day(2), "morning", "", "")))
    response = client.post(f"/issues/{room_issue}/availability", data=slots_form(
        (day(4), "afternoon", "", ""), (day(20), "morning", "", ""), (day(-1), "evening", "", "")))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page and "within the next 14 days" in page and "That date has passed" in page
    assert f'value="{day(20)}"' in page  # the typed row is kept
    assert [part for part, *_ in slots(app, room_issue)] == ["morning"]  # the earlier times stay
    assert len(events(app, room_issue, EventKind.AVAILABILITY)) == 1


def test_only_the_reporter_of_a_room_issue_gives_times(app, client, login, make_user, house, student, make_issue,
                                                       room_issue):
    kitchen = make_issue(student, area_id=house.common_area_ids[0], title="Kitchen tap")
    login(make_user(Role.STUDENT, house=house, room="105"))
    assert client.post(f"/issues/{room_issue}/availability",
                       data=slots_form((day(2), "morning", "", ""))).status_code == 404
    client.post("/issues/%d/me-too" % kitchen, data={"follow": "1"})
    assert client.post(f"/issues/{kitchen}/availability",
                       data=slots_form((day(2), "morning", "", ""))).status_code == 404
    client.post("/logout")
    login(student)
    assert client.post(f"/issues/{kitchen}/availability",
                       data=slots_form((day(2), "morning", "", ""))).status_code == 404
    assert slots(app, room_issue) == [] and slots(app, kitchen) == []


def offered(app, client, login, student, issue_id, *rows, enter=False) -> list[int]:
    login(student)
    assert client.post(f"/issues/{issue_id}/availability", data=slots_form(*rows, enter=enter)).status_code == 302
    client.post("/logout")
    with app.app_context():
        return list(db.session.scalars(sa.select(VisitSlot.id).where(VisitSlot.issue_id == issue_id)
                                       .order_by(VisitSlot.starts_at)))


def test_assignee_books_an_offered_time_once(app, client, login, student, admin, staff, room_issue):
    first, second = offered(app, client, login, student, room_issue, (day(2), "morning", "", ""),
                            (day(3), "evening", "", ""))
    login(admin)
    assign(client, room_issue, staff.id)
    client.post("/logout")
    login(staff)
    page = client.get(f"/jobs/{room_issue}").get_data(as_text=True)
    assert "The student can be in at these times" in page and "morning (08:00–12:00 SAST)" in page
    for _ in range(3):  # a double (triple) click
        response = client.post(f"/jobs/{room_issue}/visit", data={"slot": str(first)})
        assert response.status_code == 302
    assert len(visit_mails(app)) == 1
    assert visit_mails(app)[0][0] == student.email
    assert len(events(app, room_issue, EventKind.VISIT)) == 1
    with app.app_context():  # the first email left: moving the visit sends one new email
        db.session.execute(sa.update(OutboxEmail).values(status=MailStatus.SENT))
        db.session.commit()
    client.post(f"/jobs/{room_issue}/visit", data={"slot": str(second)})
    client.post(f"/jobs/{room_issue}/visit", data={"slot": str(second)})
    mails = visit_mails(app)
    assert len(mails) == 2 and "evening" in mails[1][1]
    assert len(events(app, room_issue, EventKind.VISIT)) == 2
    client.post("/logout")
    login(student)
    page = client.get(f"/issues/{room_issue}").get_data(as_text=True)
    assert "Visit booked:" in page and "evening (17:00–20:00 SAST)" in page and "Booked a visit" in page
    assert "Sipho" not in page  # the student sees "Maintenance", not the staff member


def test_a_rebooking_still_queued_replaces_the_first_email(app, client, login, student, admin, room_issue):
    first, second = offered(app, client, login, student, room_issue, (day(2), "morning", "", ""),
                            (day(3), "evening", "", ""))
    login(admin)
    client.post(f"/admin/issues/{room_issue}/visit", data={"slot": str(first)})
    client.post(f"/admin/issues/{room_issue}/visit", data={"slot": str(second)})
    with app.app_context():
        evening = visits.window_label(DayPart.EVENING, stored(date.fromisoformat(day(3)), time(17)),
                                      stored(date.fromisoformat(day(3)), time(20)))
    assert [sent for _to, sent in visit_mails(app)] == [evening]


def test_other_times_need_entry_permission(app, client, login, student, admin, room_issue):
    offered(app, client, login, student, room_issue, (day(2), "morning", "", ""))
    login(admin)
    other = {"slot": "other", "day": day(4), "start": "10:00", "end": "11:00"}
    response = client.post(f"/admin/issues/{room_issue}/visit", data=other)
    assert response.status_code == 400 and "does not allow entry" in response.get_data(as_text=True)
    assert client.post(f"/admin/issues/{room_issue}/visit", data={"slot": "999"}).status_code == 400
    client.post("/logout")
    offered(app, client, login, student, room_issue, (day(2), "morning", "", ""), enter=True)
    login(admin)
    assert client.post(f"/admin/issues/{room_issue}/visit", data=other).status_code == 302
    bad = client.post(f"/admin/issues/{room_issue}/visit", data={**other, "day": day(30)})
    assert bad.status_code == 400 and 'value="%s"' % day(30) in bad.get_data(as_text=True)
    assert len(visit_mails(app)) == 1


def test_only_assignee_and_house_admins_book(app, client, login, make_user, make_house, student, staff,
                                             room_issue):
    offered(app, client, login, student, room_issue, (day(2), "morning", "", ""), enter=True)
    other = {"slot": "other", "day": day(4), "start": "10:00", "end": "11:00"}
    login(staff)  # not assigned to them
    assert client.post(f"/jobs/{room_issue}/visit", data=other).status_code == 404
    client.post("/logout")
    login(make_user(Role.ADMIN, admin_of=[make_house("birch")]))
    assert client.post(f"/admin/issues/{room_issue}/visit", data=other).status_code == 404
    client.post("/logout")
    login(student)
    assert client.post(f"/admin/issues/{room_issue}/visit", data=other).status_code == 403
    assert visit_mails(app) == []


def parallel_posts(app, user, path: str, data: dict, count: int = 4) -> list[int]:
    """POST `data` to `path` from `count` clients signed in as `user`, all at once; their status codes."""
    clients = [app.test_client() for _ in range(count)]
    for each in clients:
        assert each.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    return race(lambda each=each: each.post(path, data=data).status_code for each in clients)


def test_parallel_bookings_send_one_email(app, student, admin, room_issue, login, client):
    (slot,) = offered(app, client, login, student, room_issue, (day(2), "morning", "", ""))
    assert parallel_posts(app, admin, f"/admin/issues/{room_issue}/visit", {"slot": str(slot)}) == [302] * 4
    assert len(visit_mails(app)) == 1
    assert len(events(app, room_issue, EventKind.VISIT)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 1


def test_local_times_are_stored_in_utc_and_shown_and_emailed_in_local_time(app, client, login, student, admin,
                                                                          room_issue):
    from app.emailer.render import render_parts

    (slot,) = offered(app, client, login, student, room_issue, (day(2), "times", "09:00", "10:30"))
    assert [(s.time(), e.time()) for _part, s, e in slots(app, room_issue)] == [(time(7), time(8, 30))]
    login(admin)
    assert "09:00–10:30 SAST" in client.get(f"/admin/issues/{room_issue}").get_data(as_text=True)
    assert client.post(f"/admin/issues/{room_issue}/visit", data={"slot": str(slot)}).status_code == 302
    with app.app_context():
        visit = db.session.get(Visit, room_issue)
        assert (visit.starts_at.time(), visit.ends_at.time()) == (time(7), time(8, 30))
        email = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.template == "visit_booked")).one()
        subject, text, html = render_parts(email.template, email.context, logo=False)
    assert "09:00–10:30 SAST" in subject and "09:00–10:30 SAST" in text and "09:00–10:30 SAST" in html
    assert "07:00" not in text
    client.post("/logout")
    login(student)
    page = client.get(f"/issues/{room_issue}").get_data(as_text=True)
    assert "Visit booked:" in page and "09:00–10:30 SAST" in page and 'value="09:00"' in page
