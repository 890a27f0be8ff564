"""Helpers for the move-in tests: complete form data and a small PNG."""
import io

import pytest
from PIL import Image

from app.move_in.checklist import DEFAULT_CHECKLIST, DEFAULT_TERMS


def complete_form(action: str = "submit", **overrides) -> dict:
    """Every default item good, every term ticked; override single fields (None removes one)."""
    data = {"action": action}
    for i in range(len(DEFAULT_CHECKLIST)):
        data[f"condition_{i}"] = "good"
        data[f"comment_{i}"] = ""
    for j in range(len(DEFAULT_TERMS)):
        data[f"term_{j}"] = "y"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def make_form(app, user, status: str = "submitted", year: int | None = None) -> int:
    """Store a form for `user` directly (all good, all terms accepted); returns its id."""
    from app.extensions import db
    from app.models.base import utcnow
    from app.models.move_in import Condition, FormStatus, MoveInAnswer, MoveInForm
    from app.move_in.checklist import academic_year

    with app.app_context():
        form = MoveInForm(user_id=user.id, house_id=user.house_id, academic_year=year or academic_year(),
                          room_number="101", status=FormStatus(status), accepted_terms=list(DEFAULT_TERMS),
                          submitted_at=utcnow() if status == "submitted" else None)
        form.answers = [MoveInAnswer(item_label=label, position=i, condition=Condition.GOOD)
                        for i, label in enumerate(DEFAULT_CHECKLIST)]
        db.session.add(form)
        db.session.commit()
        return form.id
