"""The QR landing page and "me too" subscriptions."""
import sqlalchemy as sa

from app.extensions import db
from app.models.accounts import Role
from app.models.issues import IssueSubscription


def test_landing_lists_open_common_issues_and_me_too_subscribes(app, client, auth, house, student, admin,
                                                                  make_user, make_issue, outbox):
    housemate = make_user(Role.STUDENT, house=house, room="105")
    open_id = make_issue(student, area_id=house.common_area_ids[0], title="Washing machine 2 broken")
    make_issue(student, area_id=house.common_area_ids[0], title="Old fixed thing", status="resolved",
               resolved_days_ago=1)
    make_issue(student, title="My own room thing")
    auth.login(housemate)
    page = client.get("/r/acacia").get_data(as_text=True)
    assert "Washing machine 2 broken" in page
    assert "Old fixed thing" not in page and "My own room thing" not in page
    assert "Report something new" in page
    response = client.post(f"/issues/{open_id}/me-too", data={"next": "/r/acacia"})
    assert response.status_code == 302 and response.headers["Location"] == "/r/acacia"
    assert "Following" in client.get("/r/acacia").get_data(as_text=True)
    assert "Washing machine 2 broken" in client.get("/issues/").get_data(as_text=True)
    auth.logout()
    auth.login(admin)
    client.post(f"/admin/issues/{open_id}", data={"status": "in_progress", "comment": "", "visibility": "public"})
    assert sorted(m[0] for m in outbox("issue_update")) == sorted([student.email, housemate.email])


def test_me_too_twice_unsubscribes_and_open_redirect_is_ignored(app, login, house, student, make_user,
                                                                make_issue):
    housemate = make_user(Role.STUDENT, house=house, room="105")
    issue_id = make_issue(student, area_id=house.common_area_ids[0])
    client = login(housemate)
    assert client.post(f"/issues/{issue_id}/me-too", data={"next": "https://evil.example"}).headers[
        "Location"] == f"/issues/{issue_id}"
    client.post(f"/issues/{issue_id}/me-too")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssueSubscription)) == 1  # reporter only


def test_landing_for_unknown_house_and_other_house(client, login, make_house, make_user):
    assert client.get("/r/no-such-house").status_code == 404
    make_house("acacia")
    other = make_house("baobab")
    page = login(make_user(Role.STUDENT, house=other)).get("/r/acacia").get_data(as_text=True)
    assert "not your house" in page


def test_me_too_double_tap_stays_subscribed(app, login, house, student, make_user, make_issue):
    """The buttons say what they want (follow=1 or 0), so a second tap on a slow phone changes nothing."""
    housemate = make_user(Role.STUDENT, house=house, room="105")
    issue_id = make_issue(student, area_id=house.common_area_ids[0])
    client = login(housemate)
    page = client.get("/r/acacia").get_data(as_text=True)
    assert 'name="follow" value="1"' in page
    for _ in range(2):
        assert client.post(f"/issues/{issue_id}/me-too", data={"follow": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(IssueSubscription, (issue_id, housemate.id)) is not None
    assert 'name="follow" value="0"' in client.get(f"/issues/{issue_id}").get_data(as_text=True)
    for _ in range(2):
        client.post(f"/issues/{issue_id}/me-too", data={"follow": "0"})
    with app.app_context():
        assert db.session.get(IssueSubscription, (issue_id, housemate.id)) is None


def test_anonymous_landing_offers_to_report_after_logging_in(client, house):
    page = client.get("/r/acacia").get_data(as_text=True)
    assert 'href="/login?next=/issues/new">Report something new' in page
