"""Demo issues seed cleanly on top of the demo houses."""
import sqlalchemy as sa

from app.demo import seed_demo
from app.extensions import db
from app.issues.demo import DEMO_ISSUES, seed_demo_issues
from app.models.issues import Issue


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
