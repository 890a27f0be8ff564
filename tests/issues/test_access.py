"""Authorization matrix: every object checked, guessed ids answered with 404 (or 403 for known objects)."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role, User
from app.models.issues import Issue
from tests.issues.conftest import photo_file, report_data


@pytest.fixture
def world(app, make_house, make_user, make_issue, login):
    """Two houses; a reporter, a housemate, a student elsewhere; an admin per house; a developer."""
    acacia, baobab = make_house("acacia"), make_house("baobab")
    reporter = make_user(Role.STUDENT, house=acacia, room="101")
    housemate = make_user(Role.STUDENT, house=acacia, room="102")
    outsider = make_user(Role.STUDENT, house=baobab, room="101")
    acacia_admin = make_user(Role.ADMIN, admin_of=[acacia])
    baobab_admin = make_user(Role.ADMIN, admin_of=[baobab])
    dev = make_user(Role.DEVELOPER)
    client = login(reporter)
    data = report_data()
    data["photos"] = [photo_file()]
    client.post("/issues/new", data=data, content_type="multipart/form-data")
    client.post("/logout")
    with app.app_context():
        room_issue = db.session.scalars(sa.select(Issue)).one()
        photo_id = room_issue.photos[0].id
        room_issue = room_issue.id
    common_issue = make_issue(reporter, area_id=acacia.common_area_ids[0], title="Kitchen light")
    closed_common = make_issue(reporter, area_id=acacia.common_area_ids[0], status="resolved", resolved_days_ago=1)
    return locals()


def status(client, auth, user, method, url, data=None):
    auth.logout()
    auth.login(user)
    return (client.post(url, data=data or {}) if method == "POST" else client.get(url)).status_code


def test_students_see_only_what_they_may(client, auth, world):
    w = world
    room, common, closed, photo = w["room_issue"], w["common_issue"], w["closed_common"], w["photo_id"]
    checks = [
        (w["reporter"], f"/issues/{room}", 200),
        (w["reporter"], f"/issues/{room}/photos/{photo}", 200),
        (w["housemate"], f"/issues/{room}", 404),           # someone else's room
        (w["housemate"], f"/issues/{room}/photos/{photo}", 404),
        (w["housemate"], f"/issues/{common}", 200),         # open common area of their house
        (w["housemate"], f"/issues/{closed}", 404),         # closed: no longer listed for housemates
        (w["outsider"], f"/issues/{common}", 404),
        (w["outsider"], f"/issues/{room}/photos/{photo}", 404),
        (w["reporter"], f"/issues/{room}/photos/{photo + 1000}", 404),
        (w["reporter"], "/issues/987654", 404),
        (w["acacia_admin"], f"/issues/{room}/photos/{photo}", 200),
        (w["baobab_admin"], f"/issues/{room}/photos/{photo}", 404),
        (w["dev"], f"/issues/{room}/photos/{photo}", 404),
        (w["acacia_admin"], "/issues/", 403),
        (w["dev"], "/issues/new", 403),
    ]
    got = [(user.email, url, status(client, auth, user, "GET", url)) for user, url, _ in checks]
    assert got == [(user.email, url, code) for user, url, code in checks]


def test_photo_of_another_issue_is_not_served_through_a_visible_one(client, auth, world, make_issue):
    """The photo must belong to the issue in the URL: an issue one may see is no key to other issues' photos."""
    w = world
    room, common, photo = w["room_issue"], w["common_issue"], w["photo_id"]
    baobab_issue = make_issue(w["outsider"])
    checks = [
        (w["housemate"], f"/issues/{common}", 200),                 # the housemate may see the kitchen issue
        (w["housemate"], f"/issues/{common}/photos/{photo}", 404),  # but not the photo of the room issue
        (w["outsider"], f"/issues/{baobab_issue}/photos/{photo}", 404),
        (w["baobab_admin"], f"/admin/issues/{baobab_issue}", 200),
        (w["baobab_admin"], f"/issues/{baobab_issue}/photos/{photo}", 404),
        (w["reporter"], f"/issues/{common}/photos/{photo}", 404),   # both theirs, still the wrong pair
        (w["reporter"], f"/issues/{room}/photos/{photo}", 200),
    ]
    got = [(user.email, url, status(client, auth, user, "GET", url)) for user, url, _ in checks]
    assert got == [(user.email, url, code) for user, url, code in checks]


def test_students_cannot_act_on_others_issues(app, client, auth, world):
    w = world
    room, common, closed = w["room_issue"], w["common_issue"], w["closed_common"]
    checks = [
        (w["housemate"], f"/issues/{room}/comment", {"body": "hi"}, 404),
        (w["housemate"], f"/issues/{common}/comment", {"body": "hi"}, 403),  # not following it
        (w["housemate"], f"/issues/{closed}/reopen", {"reason": "still broken"}, 404),
        (w["housemate"], f"/issues/{common}/reopen", {"reason": "still broken"}, 403),
        (w["housemate"], f"/issues/{common}/rate", {"rating": "1"}, 403),
        (w["outsider"], f"/issues/{common}/me-too", {}, 404),
        (w["housemate"], f"/issues/{room}/me-too", {}, 404),
        (w["acacia_admin"], f"/issues/{common}/comment", {"body": "hi"}, 403),
    ]
    got = [status(client, auth, user, "POST", url, data) for user, url, data, _ in checks]
    assert got == [code for *_, code in checks]


def test_admins_see_only_their_houses(client, auth, world):
    w = world
    room = w["room_issue"]
    assert status(client, auth, w["acacia_admin"], "GET", f"/admin/issues/{room}") == 200
    assert status(client, auth, w["baobab_admin"], "GET", f"/admin/issues/{room}") == 404
    assert status(client, auth, w["baobab_admin"], "POST", f"/admin/issues/{room}",
                  {"status": "in_progress", "visibility": "public"}) == 404
    assert status(client, auth, w["reporter"], "GET", f"/admin/issues/{room}") == 403
    assert status(client, auth, w["reporter"], "GET", "/admin/") == 403
    assert status(client, auth, w["baobab_admin"], "GET", "/houses/acacia/qr.svg") == 404
    assert status(client, auth, w["acacia_admin"], "GET", "/houses/acacia/qr.svg") == 200
    assert status(client, auth, w["reporter"], "GET", "/houses/acacia/qr.svg") == 403
    assert status(client, auth, w["acacia_admin"], "GET", "/houses/nowhere/poster") == 404
    auth.logout()
    auth.login(w["baobab_admin"])
    page = client.get("/admin/?status=all").get_data(as_text=True)
    assert "Kitchen light" not in page
    assert "Kitchen light" not in client.get("/admin/issues.csv?status=all").get_data(as_text=True)
    assert "Kitchen light" not in client.get(f"/admin/?status=all&house={w['acacia'].id}").get_data(as_text=True)


def test_anonymous_is_sent_to_log_in(client, world):
    for url in [f"/issues/{world['room_issue']}", f"/issues/{world['room_issue']}/photos/{world['photo_id']}",
                "/admin/", "/houses/acacia/qr.svg"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    page = client.get("/r/acacia").get_data(as_text=True)
    assert "Kitchen light" not in page and "Log in" in page


def test_ids_too_large_for_the_database_are_404(client, auth, world):
    big = "9" * 25
    w = world
    for user, method, url in [
        (w["reporter"], "GET", f"/issues/{big}"),
        (w["reporter"], "GET", f"/issues/{w['room_issue']}/photos/{big}"),
        (w["reporter"], "POST", f"/issues/{big}/me-too"),
        (w["reporter"], "POST", f"/issues/{big}/reopen"),
        (w["acacia_admin"], "GET", f"/admin/issues/{big}"),
        (w["acacia_admin"], "GET", "/admin/issues/2147483648"),
    ]:
        assert status(client, auth, user, method, url) == 404, url


def test_a_student_waiting_for_approval_sees_no_issue_nor_photo(app, client, auth, world, make_user):
    """Issue 21 item 6: the photo route follows the issue page's rule (403, the awaiting-approval page)."""
    w = world
    data = report_data(location=str(w["acacia"].common_area_ids[0]), title="Broken kitchen window")
    data["photos"] = [photo_file()]
    auth.login(w["reporter"])
    client.post("/issues/new", data=data, content_type="multipart/form-data")
    with app.app_context():
        common = db.session.scalar(sa.select(Issue).where(Issue.title == "Broken kitchen window"))
        common_id, photo_id = common.id, common.photos[0].id
    pending = make_user(Role.STUDENT, house=w["acacia"], room="103")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == pending.id).values(approved_at=None))
        db.session.commit()
    assert status(client, auth, w["housemate"], "GET", f"/issues/{common_id}/photos/{photo_id}") == 200
    for url in (f"/issues/{common_id}", f"/issues/{common_id}/photos/{photo_id}"):
        auth.logout()
        auth.login(pending)
        response = client.get(url)
        assert response.status_code == 403 and "approv" in response.get_data(as_text=True), url
