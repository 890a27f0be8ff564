"""Every protected page, for every role; and the list of protected pages is complete."""
import pytest
from werkzeug.exceptions import HTTPException

from app.models import Role

# (method, url, roles allowed). A test below fails when a route is added without being listed here.
PROTECTED = [
    ("GET", "/issues/", {Role.STUDENT}),
    ("GET", "/issues/new", {Role.STUDENT}),
    ("GET", "/move-in/", {Role.STUDENT}),
    ("GET", "/admin/", {Role.ADMIN}),
    ("GET", "/admin/issues.csv", {Role.ADMIN}),
    ("GET", "/admin/settings", {Role.ADMIN}),
    ("GET", "/admin/staff", {Role.ADMIN}),
    ("POST", "/admin/staff", {Role.ADMIN}),
    ("GET", "/admin/residents", {Role.ADMIN}),
    ("GET", "/admin/residents/new", {Role.ADMIN}),
    ("POST", "/admin/residents/new", {Role.ADMIN}),
    ("GET", "/admin/residents/roster", {Role.ADMIN}),
    ("POST", "/admin/residents/roster", {Role.ADMIN}),
    ("POST", "/admin/residents/roster/apply", {Role.ADMIN}),
    ("GET", "/jobs/", {Role.STAFF}),
    ("GET", "/admin/accounts", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/targets", {Role.ADMIN, Role.DEVELOPER}),
    ("POST", "/admin/targets", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/metrics", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/metrics.csv", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/tips", {Role.ADMIN, Role.DEVELOPER}),
    ("POST", "/admin/tips", {Role.ADMIN, Role.DEVELOPER}),
    ("POST", "/issues/new/tip-seen", {Role.STUDENT}),
    ("GET", "/admin/move-in", {Role.ADMIN}),
    ("GET", "/admin/move-in/export.csv?house=acacia", {Role.ADMIN}),
    ("GET", "/admin/move-in/acacia/checklist", {Role.ADMIN}),
    ("POST", "/admin/move-in/reminders", {Role.ADMIN}),
    ("GET", "/houses/acacia/qr.svg", {Role.ADMIN}),
    ("GET", "/houses/acacia/poster", {Role.ADMIN}),
    ("GET", "/dev/errors", {Role.DEVELOPER}),
    ("GET", "/dev/mail", {Role.DEVELOPER}),
    ("GET", "/dev/houses", {Role.DEVELOPER}),
    ("POST", "/dev/houses", {Role.DEVELOPER}),
    ("GET", "/dev/houses/acacia", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/name", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/contacts", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/language", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/rooms", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/areas", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/admins", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/remove", {Role.DEVELOPER}),
    ("GET", "/account/sessions", set(Role)),
    ("POST", "/account/sessions/end-others", set(Role)),
    ("GET", "/account/privacy", set(Role)),
    ("GET", "/account/data.json", set(Role)),
    ("POST", "/account/privacy/delete", {Role.STUDENT}),
    ("POST", "/dev/mail/unknown/resend", {Role.DEVELOPER}),
    ("POST", "/dev/mail/unknown/mark-sent", {Role.DEVELOPER}),
]
# Routes needing an object id: the role check comes first, so a wrong role gets 403 even for a made-up id.
PROTECTED_BY_ID = [
    ("GET", "/issues/1", {Role.STUDENT}),
    ("POST", "/issues/1/comment", {Role.STUDENT}),
    ("POST", "/issues/1/confirm", {Role.STUDENT}),
    ("POST", "/issues/1/reopen", {Role.STUDENT}),
    ("POST", "/issues/1/rate", {Role.STUDENT}),
    ("POST", "/issues/1/me-too", {Role.STUDENT}),
    ("GET", "/admin/issues/1", {Role.ADMIN}),
    ("POST", "/admin/issues/1/assign", {Role.ADMIN}),
    ("POST", "/admin/issues/1/triage", {Role.ADMIN}),
    ("POST", "/admin/issues/1/visit", {Role.ADMIN}),
    ("POST", "/issues/1/availability", {Role.STUDENT}),
    ("POST", "/jobs/1/visit", {Role.STAFF}),
    ("POST", "/admin/issues/1/visit/cancel", {Role.ADMIN}),
    ("POST", "/jobs/1/visit/cancel", {Role.STAFF}),
    ("POST", "/issues/1/availability/1/withdraw", {Role.STUDENT}),
    ("POST", "/admin/staff/1/remove", {Role.ADMIN}),
    ("GET", "/admin/residents/1", {Role.ADMIN}),
    ("POST", "/admin/residents/1/name", {Role.ADMIN}),
    ("POST", "/admin/residents/1/move", {Role.ADMIN}),
    ("GET", "/jobs/1", {Role.STAFF}),
    ("POST", "/jobs/invitations/1", {Role.STAFF}),
    ("POST", "/jobs/1", {Role.STAFF}),
    ("GET", "/admin/students/1/approve", {Role.ADMIN}),
    ("POST", "/admin/students/1/reject", {Role.ADMIN}),
    ("POST", "/admin/accounts/1/deactivate", {Role.ADMIN, Role.DEVELOPER}),
    ("POST", "/admin/accounts/1/reactivate", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/accounts/1/anonymise", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/accounts/1/email", {Role.ADMIN, Role.DEVELOPER}),
    ("POST", "/admin/accounts/1/email", {Role.ADMIN, Role.DEVELOPER}),
    ("GET", "/admin/move-in/batches/b1", {Role.ADMIN}),
    ("GET", "/admin/move-in/students/1", {Role.ADMIN}),
    ("GET", "/dev/errors/1", {Role.DEVELOPER}),
    ("POST", "/dev/errors/1/resolve", {Role.DEVELOPER}),
    ("GET", "/dev/mail/caught/x.eml", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/rooms/1/remove", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/areas/1", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/areas/1/remove", {Role.DEVELOPER}),
    ("POST", "/dev/houses/acacia/admins/1/remove", {Role.DEVELOPER}),
    ("GET", "/dev/mail/caught/x.eml/html", {Role.DEVELOPER}),
    ("GET", "/dev/mail/caught/x.eml/cid/logo", {Role.DEVELOPER}),
    ("POST", "/account/sessions/1/end", set(Role)),  # another user's or no such session: 404
    ("POST", "/account/sessions/end-all", set(Role)),  # logs this browser out too: sent to /login
]
# Open to anyone (each does its own checks: the language switch sets a cookie, and the account's choice when
# signed in; tokens, login for the photo routes, the house landing page; /metrics:
# a developer or the monitoring token, else 403).
PUBLIC = {"/", "/healthz", "/language", "/metrics", "/register", "/login", "/logout", "/password/forgot",
          "/password/reset/<token>", "/verify", "/verify/resend", "/verify/<token>",
          "/r/<slug>", "/move-in/welcome/<token>", "/static/<path:filename>",
          "/issues/<id:issue_id>/photos/<id:photo_id>", "/move-in/photos/<id:photo_id>",
          "/unsubscribe/<token>",
          "/login/university", "/login/university/callback", "/login/university/details"}  # tests/oidc


def login_as(make_user, login, house, role: Role):
    return login(make_user(role, house=house, admin_of=[house] if role == Role.ADMIN else (),
                           staff_of=[house] if role == Role.STAFF else ()))


@pytest.mark.parametrize("method, url, allowed", PROTECTED + PROTECTED_BY_ID)
def test_anonymous_is_sent_to_login(client, house, method, url, allowed):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("method, url, allowed", PROTECTED)
def test_each_role_sees_only_its_pages(client, login, make_user, house, role, method, url, allowed):
    login_as(make_user, login, house, role)
    response = client.open(url, method=method)
    if role in allowed:  # let in (a form posted without its fields may still be refused, with a 400)
        assert response.status_code in (200, 302, 400), response.status_code
        assert "/login" not in response.headers.get("Location", "")
    else:
        assert response.status_code == 403
        assert "does not have access" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("method, url, allowed", PROTECTED_BY_ID)
def test_object_pages_check_the_role_first(client, login, make_user, house, role, method, url, allowed):
    login_as(make_user, login, house, role)
    response = client.open(url, method=method)
    assert (response.status_code == 403) == (role not in allowed), response.status_code


def test_every_route_is_listed(app):
    """Guards the lists above: a new route must be classified as protected or public."""
    adapter = app.url_map.bind("localhost")
    listed = PROTECTED + PROTECTED_BY_ID
    for rule in app.url_map.iter_rules():
        if rule.rule not in PUBLIC:
            assert any(_matches(adapter, url, method, rule.endpoint) for method, url, _ in listed), \
                f"{rule.rule} is not in tests/auth/test_access.py"


def _matches(adapter, url: str, method: str, endpoint: str) -> bool:
    try:
        return adapter.match(url.split("?")[0], method=method)[0] == endpoint
    except HTTPException:  # 404 or 405 for this url
        return False


def test_admin_of_another_house_gets_no_poster(client, login, make_user, make_house, house):
    other = make_house("birch")
    login(make_user(Role.ADMIN, admin_of=[other]))
    assert client.get("/houses/acacia/qr.svg").status_code == 404
    assert client.get("/houses/birch/qr.svg").status_code == 200


def test_unknown_page_is_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
