"""My jobs: a staff member sees only their open jobs in their houses, oldest first, and moves them on with the
same workflow (and status emails) as an admin; completion photos reach the student."""
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Role, house_staff
from app.models.issues import Issue, IssuePhoto
from tests.issues.conftest import photo_file
from tests.staff.conftest import assign


def job_post(client, issue_id, status="", note="", photos=()):
    data = {"status": status, "note": note}
    if photos:
        data["photos"] = list(photos)
    return client.post(f"/jobs/{issue_id}", data=data, content_type="multipart/form-data")


def row(app, issue_id):
    with app.app_context():
        issue = db.session.get(Issue, issue_id)
        return issue.status.value, [(e.kind.value, e.public, e.body) for e in issue.events], \
            [p.completion for p in issue.photos]


def test_my_jobs_lists_own_open_jobs_oldest_first(app, client, auth, make_house, make_user, student, admin, staff,
                                                  house, make_issue):
    colleague = make_user(Role.STAFF, email="thabo@example.com", name="Thabo Tools", staff_of=[house])
    newer = make_issue(student, title="Newer job", age_days=1)
    older = make_issue(student, title="Older job", age_days=5, area_id=house.common_area_ids[0])
    closed = make_issue(student, title="Closed job", age_days=9)
    theirs = make_issue(student, title="Colleague job", age_days=3)
    unassigned = make_issue(student, title="Nobody's job")
    with app.app_context():
        from app.models import User
        issue = db.session.get(Issue, newer)
        issue.room_id, issue.enter_permission = db.session.get(User, student.id).room_id, True
        db.session.commit()
    auth.login(admin)
    for issue_id in (newer, older, closed):
        assign(client, issue_id, staff.id)
    assign(client, theirs, colleague.id)
    client.post(f"/admin/issues/{closed}", data={"status": "resolved", "comment": "", "visibility": "public"})
    auth.logout()
    auth.login(staff)
    home = client.get("/").get_data(as_text=True)
    assert "My jobs" in home and "Acacia House" in home
    page = client.get("/jobs/").get_data(as_text=True)
    assert page.index("Older job") < page.index("Newer job")
    assert "Closed job" not in page and "Colleague job" not in page and "Nobody" not in page
    assert "Kitchen" in page and "Room 101" in page and "You may enter when the student is out" in page
    assert client.get(f"/jobs/{older}").status_code == 200
    assert client.get(f"/jobs/{closed}").status_code == 200  # still theirs to look back at
    for other in (theirs, unassigned, 999999):
        assert client.get(f"/jobs/{other}").status_code == 404
        assert job_post(client, other, "in_progress").status_code == 404
        assert client.get(f"/issues/{other}/photos/1").status_code == 404
    assert row(app, theirs)[0] == "reported"
    assert client.get(f"/admin/issues/{older}").status_code == 403
    assert client.get(f"/issues/{older}").status_code == 403


def test_removed_from_the_house_the_jobs_are_gone(app, auth, login, student, admin, staff, house, make_issue):
    issue_id = make_issue(student)
    assign(login(admin), issue_id, staff.id)
    with app.app_context():  # straight in the database: the link goes, the assignment stays
        db.session.execute(sa.delete(house_staff).where(house_staff.c.user_id == staff.id))
        db.session.commit()
    auth.logout()
    client = login(staff)
    assert "Leaking tap" not in client.get("/jobs/").get_data(as_text=True)
    assert client.get(f"/jobs/{issue_id}").status_code == 404


def test_staff_moves_a_job_on_and_the_student_is_emailed(app, client, auth, student, admin, staff, make_issue,
                                                         outbox):
    issue_id = make_issue(student)
    auth.login(admin)
    assign(client, issue_id, staff.id)
    auth.logout()
    auth.login(staff)
    assert job_post(client, issue_id, note="Washer is worn; part ordered").status_code == 302
    assert outbox("issue_update") == []  # a note is for the admins
    assert job_post(client, issue_id, "in_progress").status_code == 302
    assert job_post(client, issue_id, "resolved", photos=[photo_file()]).status_code == 302
    status, events, photos = row(app, issue_id)
    assert status == "resolved" and photos == [True]
    assert ("note", False, "Washer is worn; part ordered") in events
    [(to, _, context)] = outbox("issue_update")  # coalesced, as an admin's two changes are
    assert to == student.email and context["status"] == "resolved"
    assert {u["role"] for u in context["updates"]} == {"staff"}
    assert "Sipho" not in str(context)
    assert "Leaking tap" not in client.get("/jobs/").get_data(as_text=True)  # no longer open
    auth.logout()
    auth.login(student)
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    assert "Photos of the fix" in page and "Is it fixed?" in page and "Sipho" not in page
    with app.app_context():
        photo_id = db.session.scalar(sa.select(IssuePhoto.id).where(IssuePhoto.issue_id == issue_id))
    photo = client.get(f"/issues/{issue_id}/photos/{photo_id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"


def test_bad_steps_are_refused_and_nothing_is_stored(app, auth, login, student, admin, staff, make_issue, outbox):
    issue_id = make_issue(student)
    assign(login(admin), issue_id, staff.id)
    auth.logout()
    client = login(staff)
    before = row(app, issue_id)
    for status, note, photos, message in [
        ("wont_fix", "", (), "Not a valid choice"),
        ("reported", "", (), "Not a valid choice"),
        ("", "", (), "nothing was changed"),
        ("in_progress", "", [photo_file()], "Completion photos go with marking the job resolved"),
        ("resolved", "", [(io.BytesIO(b"not an image"), "x.jpg")], "not a JPEG"),
        ("resolved", "x" * 5001, (), "5000 characters"),
        ("resolved", "", [photo_file(), photo_file(), photo_file(), photo_file()], "at most 3 photos"),
    ]:
        response = job_post(client, issue_id, status, note, photos)
        text = response.get_data(as_text=True)
        assert response.status_code == 400, (status, note)
        assert message in text, (message, text[text.find("form-errors") - 50:][:800])
    assert row(app, issue_id) == before
    assert outbox("issue_update") == []


def test_staff_takes_a_job_off_hold(app, auth, login, student, admin, staff, make_issue):
    issue_id = make_issue(student)
    client = login(admin)
    assign(client, issue_id, staff.id)
    client.post(f"/admin/issues/{issue_id}", data={"status": "on_hold", "comment": "", "visibility": "public",
                                                   "hold_reason": "parts", "hold_detail": "pump ordered"})
    assert row(app, issue_id)[0] == "on_hold"
    auth.logout()
    client = login(staff)
    page = client.get(f"/jobs/{issue_id}").get_data(as_text=True)
    assert "Waiting for parts: pump ordered" in page
    assert job_post(client, issue_id, "in_progress").status_code == 302
    assert row(app, issue_id)[0] == "in_progress"
    with app.app_context():
        assert db.session.get(Issue, issue_id).hold_reason is None


def test_staff_land_on_my_jobs_urgent_first_then_by_deadline_with_the_visit(app, client, student, admin, staff,
                                                                            house, make_issue):
    from datetime import timedelta

    from app.models.base import utcnow
    from app.models.visits import DayPart, Visit
    from tests.conftest import PASSWORD

    normal_old = make_issue(student, title="Old normal job", age_days=6)
    urgent_new = make_issue(student, title="New urgent job", urgency="urgent")
    normal_new = make_issue(student, title="New normal job", age_days=1)
    with app.app_context():
        start = utcnow().replace(microsecond=0) + timedelta(days=1)
        db.session.add(Visit(issue_id=normal_new, part=DayPart.TIMES, starts_at=start,
                             ends_at=start + timedelta(hours=1), notice_key="k"))
        db.session.commit()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    for issue_id in (normal_old, urgent_new, normal_new):
        assign(client, issue_id, staff.id)
    client.post("/logout")
    landed = client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert landed.status_code == 302 and landed.headers["Location"] == "/jobs/"
    page = client.get("/jobs/").get_data(as_text=True)
    assert page.index("New urgent job") < page.index("Old normal job") < page.index("New normal job")
    visit_line = page.split("New normal job")[1].split("</li>")[0]
    assert "Visit:</strong>" in visit_line and "SAST" in visit_line
    assert "urgent first, then by deadline" in page
    assert client.get("/login").headers["Location"] == "/jobs/"  # already logged in
    client.post("/logout")
    assert client.post("/login", data={"email": staff.email, "password": PASSWORD}, query_string={
        "next": f"/jobs/{urgent_new}"}).headers["Location"] == f"/jobs/{urgent_new}"  # a link still wins
    client.post("/logout")
    client.post("/login", data={"email": student.email, "password": PASSWORD})
    assert 'href="/issues/new">Report an issue</a>' in client.get("/").get_data(as_text=True)
