"""/dev/errors: developers only; groups by last seen with filters, search, pagination and charts."""
import re

import pytest

from app.errorlog import record
from app.models.errors import ErrorStatus


def titles(response) -> list[str]:
    return re.findall(r'class="error-title">([^<]*)<', response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/dev/errors", "/dev/errors/1"])
def test_students_and_admins_get_403_and_strangers_the_login(client, login, student, admin, path):
    assert client.get(path).status_code == 302
    login(student)
    assert client.get(path).status_code == 403
    client.post("/logout")
    login(admin)
    assert client.get(path).status_code == 403
    assert client.post("/dev/errors/1/resolve").status_code == 403


def test_groups_are_listed_by_last_seen_with_count_and_chart(client, login, developer, make_errors):
    make_errors([("mail.worker", "SMTP refused", 3), ("web", "Template missing", 1)])
    make_errors([("mail.worker", "SMTP refused", 1)])  # seen again: now the most recent
    login(developer)
    response = client.get("/dev/errors")
    assert response.status_code == 200
    assert titles(response) == ["SMTP refused", "Template missing"]
    page = response.get_data(as_text=True)
    assert "<strong>4</strong>" in page
    assert 'role="img" aria-label="4 in the last 24 hours"' in page and '<path d="M' in page


def test_filters_by_status_and_source(client, login, developer, make_errors):
    make_errors([("web", "Open web error", 1), ("mail.worker", "Open mail error", 1)])
    make_errors([("web", "Old resolved error", 1)], status=ErrorStatus.RESOLVED)
    make_errors([("web", "Muted noise", 1)], status=ErrorStatus.MUTED)
    login(developer)
    assert sorted(titles(client.get("/dev/errors"))) == ["Open mail error", "Open web error"]
    assert titles(client.get("/dev/errors?status=resolved")) == ["Old resolved error"]
    assert titles(client.get("/dev/errors?status=muted")) == ["Muted noise"]
    assert len(titles(client.get("/dev/errors?status=all"))) == 4
    assert titles(client.get("/dev/errors?source=mail.worker")) == ["Open mail error"]
    assert sorted(titles(client.get("/dev/errors?status=all&source=web"))) == [
        "Muted noise", "Old resolved error", "Open web error"]
    assert sorted(titles(client.get("/dev/errors?status=bogus&page=x"))) == ["Open mail error", "Open web error"]
    unknown = client.get("/dev/errors?source=no.such.source").get_data(as_text=True)
    assert "No errors match" in unknown and '<option value="no.such.source" selected>' in unknown


@pytest.mark.parametrize("query", ["page=%C2%B2", "page=-3", "page=0", "page=1.5", "page=" + "9" * 40,
                                   "page=%D9%A3", "status=", "page=1&page=2", "q=only", "source=web", "q=%00"])
def test_odd_query_strings_fall_back_to_sane_defaults(client, login, developer, make_errors, query):
    make_errors([("web", "Only error", 1)])
    login(developer)
    response = client.get(f"/dev/errors?{query}")
    assert response.status_code == 200 and titles(response) == ["Only error"]


@pytest.mark.parametrize("query", ["q=%00x", "source=%00", "q=" + "x" * 5000, "q=%ED%A0%80", "q=%27%22%3C"])
def test_odd_searches_find_nothing_without_failing(client, login, developer, make_errors, query):
    make_errors([("web", "Only error", 1)])
    login(developer)
    response = client.get(f"/dev/errors?{query}")
    assert response.status_code == 200 and titles(response) == []


@pytest.mark.parametrize("path", ["/dev/errors/99999999999999999999999", "/dev/errors/9223372036854775808"])
def test_out_of_range_group_ids_are_not_found(client, login, developer, path):
    login(developer)
    assert client.get(path).status_code == 404
    assert client.post(path + "/resolve").status_code == 404


def test_text_search_and_reference_search(client, login, developer, make_errors, app):
    make_errors([("web", "Photo upload failed", 1), ("web", "Template 100% missing_here", 1)])
    with app.app_context():
        reference = record("mail.worker", "Connection refused by smtp.example", alert=False)
    login(developer)
    assert titles(client.get("/dev/errors?q=photo")) == ["Photo upload failed"]
    assert titles(client.get("/dev/errors?q=100%25")) == ["Template 100% missing_here"]
    assert titles(client.get("/dev/errors?q=_")) == ["Template 100% missing_here"]  # LIKE wildcards are literal
    assert titles(client.get(f"/dev/errors?q={reference.lower()}")) == ["Connection refused by smtp.example"]
    assert titles(client.get(f"/dev/errors?q={reference.replace('-', '')}")) == [
        "Connection refused by smtp.example"]
    assert "No errors match" in client.get("/dev/errors?q=nothing-like-this").get_data(as_text=True)


@pytest.mark.parametrize("app", [{"ERRORLOG_PAGE_SIZE": 2}], indirect=True)
def test_pagination_keeps_the_filters(client, login, developer, make_errors):
    for n in range(5):
        make_errors([("web", f"Error {'abcde'[n]}", 1)])
    make_errors([("mail", "Elsewhere", 1)])
    login(developer)
    first = client.get("/dev/errors?source=web")
    assert titles(first) == ["Error e", "Error d"]
    assert "page 1 of 3" in first.get_data(as_text=True)
    assert 'href="/dev/errors?source=web&amp;page=2"' in first.get_data(as_text=True)
    assert titles(client.get("/dev/errors?source=web&page=2")) == ["Error c", "Error b"]
    assert titles(client.get("/dev/errors?source=web&page=3")) == ["Error a"]
    assert titles(client.get("/dev/errors?source=web&page=99")) == ["Error a"]  # clamped to the last page


def test_the_detail_page_shows_sample_traceback_context_and_occurrences(client, login, developer, app):
    with app.app_context():
        try:
            {}["room"]
        except KeyError as exc:
            refs = [record("web", exc, {"method": "POST", "path": "/issues/new", "user_id": 7, "password": "p"})
                    for _ in range(3)]
    login(developer)
    listing = client.get("/dev/errors").get_data(as_text=True)
    group_id = int(re.search(r'href="/dev/errors/(\d+)"', listing).group(1))
    page = client.get(f"/dev/errors/{group_id}").get_data(as_text=True)
    assert "KeyError: &#39;room&#39;" in page
    assert "Traceback (most recent call last)" in page
    assert '"path": "/issues/new"' in page and "[scrubbed]" in page
    assert all(ref in page for ref in refs)
    assert "POST /issues/new" in page and "user 7" in page
    assert 'aria-label="3 occurrences in the last 7 days, per hour"' in page
    assert '<p class="chart-axis muted" aria-hidden="true"><span>' in page and "<span>now</span>" in page
    assert "<h3>Request context</h3>" in page
    # times in residence time, UTC in the tooltip
    assert len(re.findall(r'<time datetime="[-\dT:]+Z" title="[-\d :]+ UTC">\d\d \w{3} \d{4}, [\d:]+ SAST</time>',
                          page)) >= 5 and " UTC ·" not in page
    assert client.get("/dev/errors/999999").status_code == 404


def test_resolve_mute_and_reopen(client, login, developer, make_errors, read_group):
    ids = make_errors([("web", "Fix me", 1)])
    login(developer)
    response = client.post(f"/dev/errors/{ids['Fix me']}/resolve", follow_redirects=True)
    assert response.status_code == 200 and "Marked resolved" in response.get_data(as_text=True)
    assert read_group(ids["Fix me"]).status == ErrorStatus.RESOLVED
    client.post(f"/dev/errors/{ids['Fix me']}/reopen")
    assert read_group(ids["Fix me"]).status == ErrorStatus.OPEN
    client.post(f"/dev/errors/{ids['Fix me']}/mute")
    assert read_group(ids["Fix me"]).status == ErrorStatus.MUTED
    assert client.post(f"/dev/errors/{ids['Fix me']}/delete").status_code == 404
    assert client.get(f"/dev/errors/{ids['Fix me']}/resolve").status_code == 405


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_actions_need_the_csrf_token(client, developer, make_errors, read_group):
    ids = make_errors([("web", "Fix me", 1)])
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": developer.email, "password": developer.password, "csrf_token": token})
    assert client.post(f"/dev/errors/{ids['Fix me']}/resolve").status_code == 400
    assert read_group(ids["Fix me"]).status == ErrorStatus.OPEN
    detail = client.get(f"/dev/errors/{ids['Fix me']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', detail).group(1)
    assert client.post(f"/dev/errors/{ids['Fix me']}/resolve", data={"csrf_token": token}).status_code == 302
    assert read_group(ids["Fix me"]).status == ErrorStatus.RESOLVED


def test_banner_when_mail_is_paused(client, login, developer, app):
    from datetime import timedelta

    from app.extensions import db
    from app.models.base import utcnow
    from app.models.mail import MailState

    login(developer)
    assert "mail health panel" not in client.get("/dev/errors").get_data(as_text=True)
    with app.app_context():
        db.session.add(MailState(id=1, paused_until=utcnow() + timedelta(hours=3),
                                 paused_reason="daily sending limit reached: 550 5.4.5"))
        db.session.commit()
    page = client.get("/dev/errors").get_data(as_text=True)
    assert "Mail is paused until" in page and "550 5.4.5" in page
    assert '<a href="/dev/mail">Open the mail health panel</a>' in page


@pytest.mark.parametrize("app", [{"ERRORLOG_QUEUE_WARNING": 3}], indirect=True)
def test_banner_when_the_queue_keeps_growing(client, login, developer, app):
    from app.emailer import enqueue_many
    from app.extensions import db

    with app.app_context():
        enqueue_many("password_reset", [(f"s{i}@example.ac.za", {"name": "S", "link": "http://x"}) for i in range(4)])
        db.session.commit()
    login(developer)
    page = client.get("/dev/errors").get_data(as_text=True)
    assert "The mail queue keeps growing: 4 emails waiting" in page


def test_hourly_series_puts_each_count_in_its_hour(app, make_errors):
    from datetime import datetime

    from app.dev.hourly import hourly_series
    from app.extensions import db
    from app.models.errors import ErrorHourlyCount

    ids = make_errors([("web", "Charted", 1)])
    gid = ids["Charted"]
    now = datetime(2026, 3, 10, 14, 35)
    with app.app_context():
        db.session.query(ErrorHourlyCount).delete()
        for hour, count in ((14, 5), (13, 2), (0, 1), (15, 9)):  # 15:00 is in the future, ignored
            db.session.add(ErrorHourlyCount(group_id=gid, hour=datetime(2026, 3, 10, hour), count=count))
        db.session.add(ErrorHourlyCount(group_id=gid, hour=datetime(2026, 3, 9, 14), count=7))  # 24 h ago: out
        db.session.add(ErrorHourlyCount(group_id=gid, hour=datetime(2026, 3, 9, 15), count=3))  # first bar
        db.session.commit()
        series = hourly_series([gid], 24, now)[gid]
    assert series == [3] + [0] * 8 + [1] + [0] * 12 + [2, 5]


def test_the_status_choices_show_how_many_groups_each_has(client, login, developer, make_errors):
    make_errors([("web", "Open one", 1), ("mail", "Open two", 1)])
    make_errors([("web", "Resolved one", 1)], status=ErrorStatus.RESOLVED)
    login(developer)
    page = client.get("/dev/errors").get_data(as_text=True)
    assert ">Open (2)<" in page and ">Resolved (1)<" in page and ">Muted (0)<" in page and ">All (3)<" in page
    page = client.get("/dev/errors?source=web").get_data(as_text=True)
    assert ">Open (1)<" in page and ">All (2)<" in page


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 2, "MAIL_SHARE_NOTICE": 0.2}],
                         indirect=True)
def test_banner_when_the_queue_is_bigger_than_the_budget_left(client, login, developer, app):
    from app.emailer import enqueue_many
    from app.extensions import db

    with app.app_context():
        enqueue_many("password_reset", [(f"s{i}@example.ac.za", {"name": "S", "link": "http://x"}) for i in range(3)])
        db.session.commit()
    login(developer)
    page = client.get("/dev/errors").get_data(as_text=True)
    assert "3 emails waiting, more than today&#39;s budget left (2)" in page
    assert "it should clear around" in page
