"""Every protected page, for every role."""
import pytest

from app.models import Role

# (url, roles allowed). Later issues add their pages here.
PROTECTED = [
    ("/issues/", {Role.STUDENT}),
    ("/move-in/", {Role.STUDENT}),
    ("/admin/", {Role.ADMIN}),
    ("/dev/errors", {Role.DEVELOPER}),
    ("/dev/mail", {Role.DEVELOPER}),
]


@pytest.mark.parametrize("url, allowed", PROTECTED)
def test_anonymous_is_sent_to_login(client, url, allowed):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url, allowed", PROTECTED)
def test_each_role_sees_only_its_pages(client, login, make_user, house, role, url, allowed):
    user = make_user(role, house=house, admin_of=[house] if role == Role.ADMIN else ())
    login(user)
    response = client.get(url)
    assert response.status_code == (200 if role in allowed else 403)
    if response.status_code == 403:
        assert "does not have access" in response.get_data(as_text=True)


def test_unknown_page_is_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
