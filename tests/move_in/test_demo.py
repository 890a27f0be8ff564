"""The demo move-in data the lead wires into `flask seed-demo`."""
import sqlalchemy as sa

from app.demo import seed_demo
from app.extensions import db
from app.models.move_in import FormStatus, MoveInForm
from app.move_in.demo import seed_demo_move_in


def test_seed_demo_move_in(app, client):
    with app.app_context():
        seed_demo()
        made = seed_demo_move_in()
        db.session.commit()
        assert len(made) == 18
        statuses = db.session.scalars(sa.select(MoveInForm.status)).all()
        assert statuses.count(FormStatus.SUBMITTED) == 6 and statuses.count(FormStatus.DRAFT) == 6
        assert seed_demo_move_in() == []  # a second run adds nothing
    client.post("/login", data={"email": "admin.protea@example.ac.za", "password": "demo-rooftop-lantern"})
    page = client.get("/admin/move-in").get_data(as_text=True)
    assert "<strong>2</strong> submitted" in page and "<strong>2</strong> draft" in page
    assert "<strong>3</strong> not started" in page  # the original demo student too
