"""Demo issues seed cleanly on top of the demo houses."""
from datetime import timedelta

import sqlalchemy as sa

from app.demo import seed_demo
from app.extensions import db
from app.issues.demo import DEMO_ISSUES, seed_demo_issues
from app.models.issues import Issue, IssueStatus


def test_seed_demo_issues(app, client):
    with app.app_context():
        seed_demo()
        assert seed_demo_issues() == len(DEMO_ISSUES)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Issue.id))) == len(DEMO_ISSUES)
    login = client.post("/login", data={"email": "admin.protea@example.ac.za", "password": "demo-rooftop-lantern"})
    assert login.status_code == 302, login.get_data(as_text=True)
    page = client.get("/admin/?status=all").get_data(as_text=True)
    assert "Shower drain blocked" in page and "Wi-Fi drops" not in page


def test_answered_demo_issues_are_not_response_overdue(app, client):
    """An issue the demo admin moved on was answered then: its first response is recorded, so no page calls it
    "Response overdue" (the Laundry issue was answered 20 hours after its report, 3 days ago)."""
    with app.app_context():
        seed_demo()
        seed_demo_issues()
        db.session.commit()
        for issue in db.session.scalars(sa.select(Issue)):
            answered = issue.status != IssueStatus.REPORTED
            assert (issue.first_response_at is not None) == answered, issue.title
            assert issue.first_response_at is None or issue.first_response_at == issue.created_at + timedelta(hours=20)
        laundry = db.session.scalar(sa.select(Issue.id).where(Issue.title.startswith("Washing machine")))
    client.post("/login", data={"email": "admin.acacia@example.ac.za", "password": "demo-rooftop-lantern"})
    assert "Response overdue" not in client.get(f"/admin/issues/{laundry}").get_data(as_text=True)
    row = client.get("/admin/").get_data(as_text=True).split("Washing machine")[1].split("</tr>")[0]
    assert "overdue" not in row and "left to fix" in row
