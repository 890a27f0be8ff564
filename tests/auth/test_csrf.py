import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_post_without_valid_csrf_is_refused(client, app, house, token):
    data = {"email": "x@example.ac.za", "name": "X", "house": "acacia", "room": "101",
            "password": PASSWORD, "confirm": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_post_with_csrf_token_from_the_page_works(client, app, house):
    page = client.get("/register").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/register", data={
        "csrf_token": token, "email": "x@example.ac.za", "name": "X", "house": "acacia", "room": "101",
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
