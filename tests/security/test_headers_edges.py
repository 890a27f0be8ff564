"""Security headers where the walk over the demo site does not reach: HSTS by setting, and a 500 page."""
import pytest

from tests.conftest import settings_for
from tests.security.test_headers import check_headers


@pytest.mark.parametrize("secure", [False, True])
def test_hsts_only_with_secure_cookies(database_url, _schema, tmp_path, secure):
    from app import create_app

    app = create_app({**settings_for(database_url, tmp_path), "SESSION_COOKIE_SECURE": secure})
    response = app.test_client().get("/login")
    hsts = response.headers.get("Strict-Transport-Security")
    if not secure:
        assert hsts is None
    else:
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        assert max_age >= 365 * 24 * 3600


def test_a_server_error_page_carries_the_headers_too(app, client):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert check_headers(response, "", signed=False) == []
