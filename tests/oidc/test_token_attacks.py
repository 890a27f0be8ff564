"""Forged, stale and misdirected ID tokens, and a provider that is down or slow, from a hand-made provider: each
is answered with a clear page and a 4xx (503 for an unreachable provider), nothing is created, no error logged."""
import base64
import json
import logging
import time

import pytest
import sqlalchemy as sa
from joserfc.jwk import RSAKey

from app import create_app
from app.extensions import db
from app.models import LoginSession, OidcIdentity, User
from app.models.errors import ErrorGroup
from tests.conftest import empty_tables, settings_for
from tests.oidc.fake_provider import FakeProvider, start_login

UNVERIFIABLE = "could not be checked"


@pytest.fixture
def fake():
    provider = FakeProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def app(database_url, _schema, tmp_path, fake):
    app = create_app({**settings_for(database_url, tmp_path), **fake.settings})
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


def callback(client, fake, nonce: str | None = None):
    login = start_login(client)
    fake.nonces["the-code"] = login.nonce if nonce is None else nonce
    return client.get(f"/login/university/callback?code=the-code&state={login.state}")


def nothing_stored(app) -> None:
    with app.app_context():
        for model in (User, OidcIdentity, LoginSession, ErrorGroup):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model.__name__


def test_a_good_token_signs_in(app, client, fake, house):
    response = client.get("/login/university")
    assert "code_challenge_method=S256" in response.headers["Location"]
    response = callback(client, fake)
    assert response.headers["Location"] == "/login/university/details"
    assert client.post("/login/university/details", data={"house": "acacia", "room": "101"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(OidcIdentity.subject)) == "fake-sub-1"


def test_a_large_id_token_is_not_kept_in_the_cookie_and_logout_still_reaches_the_provider(app, client, fake,
                                                                                          student):
    fake.issue = {"email": student.email, "groups": [f"group-{n:04d}-" + "x" * 30 for n in range(60)]}
    assert callback(client, fake).headers["Location"] == "/"
    assert len(client.get_cookie("session").value) < 3000
    location = client.post("/logout").headers["Location"]
    assert location.startswith(fake.issuer + "/logout?") and "client_id=fake-client" in location
    assert "id_token_hint" not in location


def unsigned(claims: dict) -> str:
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none'})}.{part(claims)}."


@pytest.mark.parametrize("attack", ["wrong nonce", "another key, same kid", "another key, unknown kid",
                                    "wrong audience", "wrong audience naming us as azp", "expired",
                                    "another issuer", "no subject", "alg none"])
def test_forged_or_stale_id_tokens_are_refused(app, client, fake, attack):
    now = int(time.time())
    nonce = "not-the-nonce" if attack == "wrong nonce" else None
    if attack.startswith("another key"):
        fake.sign_with = RSAKey.generate_key(2048, parameters={"kid": "published" if "same" in attack else "k9"})
    fake.issue = {"wrong audience": {"aud": "another-client"},
                  "wrong audience naming us as azp": {"aud": "another-client", "azp": "fake-client"},
                  "expired": {"exp": now - 600, "iat": now - 900},
                  "another issuer": {"iss": "http://127.0.0.1:1"}, "no subject": {"sub": None}}.get(attack, {})
    if attack == "alg none":
        fake.raw_id_token = unsigned({"iss": fake.issuer, "sub": "x", "aud": "fake-client", "exp": now + 60,
                                      "iat": now, "email": "fake.student@example.ac.za", "email_verified": True})
    response = callback(client, fake, nonce)
    assert response.status_code == 400, attack
    assert UNVERIFIABLE in response.get_data(as_text=True)
    nothing_stored(app)


def test_a_refused_code_is_a_clear_400(app, client, fake):
    fake.token_status = 400
    response = callback(client, fake)
    assert response.status_code == 400 and UNVERIFIABLE in response.get_data(as_text=True)
    nothing_stored(app)


def test_a_slow_provider_times_out_with_a_503(app, client, fake):
    fake.delay = 3.0  # OIDC_TIMEOUT is 1 second
    started = time.monotonic()
    response = callback(client, fake)
    assert time.monotonic() - started < 2.5
    assert response.status_code == 503 and "cannot be reached" in response.get_data(as_text=True)
    nothing_stored(app)


def test_a_provider_gone_mid_sign_in_is_a_503_each_time(app, client, fake):
    login = start_login(client)
    fake.stop()
    for _ in range(3):
        response = client.get(f"/login/university/callback?code=c&state={login.state}")
        assert response.status_code in (400, 503)
    assert client.get("/login/university").status_code == 302  # discovery is cached: the redirect still goes
    nothing_stored(app)
    fake.start = lambda: None  # already stopped


def test_a_provider_down_at_start_up_is_a_warning_in_development_then_503(database_url, _schema, tmp_path, caplog):
    settings = {**settings_for(database_url, tmp_path), **FakeProvider().settings}  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="app"):  # the app's own logger, whatever ran before set
        app = create_app(settings)
    assert "could not be read" in caplog.text
    response = app.test_client().get("/login/university")
    assert response.status_code == 503 and "cannot be reached" in response.get_data(as_text=True)


@pytest.mark.parametrize("claims, status", [
    ({"email": ["fake.student@example.ac.za"]}, 403),
    ({"email": "not an address"}, 403),
    ({"email": "fäke@example.ac.za"}, 403),
    ({"email": None}, 403),
    ({"email_verified": "true"}, 403),  # only a JSON true counts
    ({"email": "a@example.ac.za.evil.example"}, 403),
])
def test_odd_address_claims_are_refused(app, client, fake, claims, status):
    fake.issue = claims
    assert callback(client, fake).status_code == status
    nothing_stored(app)


def test_a_name_with_control_characters_is_not_stored(app, client, fake, house):
    fake.issue = {"email": "Odd.Name@Example.ac.za", "name": "Evil\x00\r\nName"}
    assert callback(client, fake).headers["Location"] == "/login/university/details"
    assert client.post("/login/university/details", data={"house": "acacia", "room": "101"}).status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.name) == ("odd.name@example.ac.za", "odd.name")
