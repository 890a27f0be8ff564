import pytest

from app.models import Role


@pytest.mark.parametrize("role, links", [
    (Role.STUDENT, ["/issues/new", "/issues/", "/move-in/"]),
    (Role.ADMIN, ["/admin/", "/admin/move-in", "/admin/settings", "/houses/acacia/poster"]),
    (Role.DEVELOPER, ["/dev/errors", "/dev/mail"]),
])
def test_home_tiles_per_role(client, login, make_user, house, role, links):
    login(make_user(role, house=house, admin_of=[house] if role == Role.ADMIN else ()))
    page = client.get("/").get_data(as_text=True)
    for link in links:
        assert f'class="tile" href="{link}"' in page
        assert client.get(link).status_code == 200
