"""The university's OpenID Provider, through Authlib's Flask client: Authorization Code flow with PKCE (S256),
`state` and `nonce` (kept in the signed session cookie until the callback), the ID token's signature checked
against the provider's published keys (fetched once, again when a token names an unknown key), its issuer,
audience, expiry and nonce by Authlib. Nothing here handles a JWT or a key by hand.

Configured by OIDC_ISSUER (discovery), OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; without OIDC_ISSUER the app has
no university sign-in. At start-up the discovery document is fetched: a missing or unreachable one stops the app
in production and is a warning in development (the first sign-in tries again).

Authlib, requests and joserfc (about 8 MB a process with the cryptography they bring) are imported only when
OIDC_ISSUER is set: `init_oidc` loads them, and the error tuples below are built on first use.
"""
from typing import Any

from flask import Flask, current_app, session, url_for

from app.config import ConfigError

NAME = "university"  # Authlib's name for the client (its state keys in the session start with _state_university_)
EXTENSION = "rinaibra.oidc"
ID_TOKEN = "oidc_id_token"  # the session key of the last ID token, the hint of the provider's logout
ID_TOKEN_KEPT = 1800  # characters: a larger ID token (Entra ID's with many groups) would overflow the 4 KB cookie


# What a failed exchange with the provider raises: an OAuth error answer (a replayed code, a refused client,
# a state that does not match), a token that fails verification, a malformed answer, or no answer in time.
# Functions, so that `except oidc.unreachable():` imports the libraries only when an exception is matched.
def provider_errors() -> tuple[type[Exception], ...]:
    """A token that fails verification or a malformed answer."""
    from joserfc.errors import JoseError
    return (JoseError, ValueError, KeyError, TypeError)


def unreachable() -> tuple[type[Exception], ...]:
    """No answer from the provider in time (or a connection refused)."""
    import requests
    return (requests.RequestException,)


def oauth_refused() -> type[Exception]:
    """An OAuth error answer from the provider (a replayed code, a refused client)."""
    from authlib.integrations.base_client import OAuthError
    return OAuthError


def state_mismatch() -> type[Exception]:
    """A callback whose `state` names no sign-in in progress in this browser."""
    from authlib.integrations.base_client import MismatchingStateError
    return MismatchingStateError


def init_oidc(app: Flask) -> None:
    """Register the provider's client when OIDC_ISSUER is set, and check that its discovery document answers."""
    config = app.config
    if not config["OIDC_ISSUER"]:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    client = oauth.register(
        NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "default_timeout": config["OIDC_TIMEOUT"]},
    )
    app.extensions[EXTENSION] = client
    try:
        client.load_server_metadata()
    except (*unreachable(), ValueError) as exc:
        problem = (f"OIDC_ISSUER={config['OIDC_ISSUER']!r}: its discovery document "
                   f"(/.well-known/openid-configuration) could not be read ({type(exc).__name__}: {str(exc)[:200]})")
        if config["APP_ENV"] == "production" and not app.testing:
            raise ConfigError(problem + "; check the address, or unset OIDC_ISSUER to run without university "
                              "sign-in") from None
        app.logger.warning("%s; university sign-in will try again on first use", problem)


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def passwords_enabled() -> bool:
    """Password login, registration and set-password pages are on (AUTH_PASSWORDS)."""
    return current_app.config["AUTH_PASSWORDS"]


def client():
    return current_app.extensions[EXTENSION]


def callback_url() -> str:
    """The redirect URI registered at the provider: BASE_URL + /login/university/callback."""
    return current_app.config["BASE_URL"] + url_for("auth.oidc_callback")


def clear_pending_logins() -> None:
    """Forget any sign-in started earlier in this browser (one at a time keeps the session cookie small)."""
    for key in [key for key in session if key.startswith(f"_state_{NAME}_")]:
        session.pop(key)


def authorize_redirect(**params):
    """The redirect to the provider's authorization endpoint (with extra `params`, such as prompt); `state`,
    `nonce` and the PKCE verifier go into the session."""
    clear_pending_logins()
    return client().authorize_redirect(callback_url(), **params)


def verified_claims() -> dict[str, Any]:
    """Exchange the callback's code for tokens and return the ID token's verified claims. Raises one of
    provider_errors(), an Authlib OAuthError, or one of unreachable(). The audience must name our client ID (Authlib
    alone accepts another audience when `azp` names us)."""
    token = client().authorize_access_token(claims_options={
        "iss": {"essential": True, "values": [issuer()]},
        "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]}})
    claims = token.get("userinfo")
    if not claims:
        raise ValueError("the provider's answer has no ID token")
    session[ID_TOKEN] = token["id_token"] if len(token["id_token"]) <= ID_TOKEN_KEPT else ""
    return dict(claims)


def issuer() -> str:
    return client().load_server_metadata()["issuer"]


def logout_url() -> str | None:
    """The provider's end-session URL for this browser's last university sign-in (RP-initiated logout), when
    the provider's discovery document offers one; forgets the ID token either way."""
    id_token = session.pop(ID_TOKEN, None)
    if id_token is None or not enabled():
        return None
    try:
        metadata = client().load_server_metadata()
    except unreachable():
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client().create_logout_url(
        post_logout_redirect_uri=current_app.config["BASE_URL"] + url_for("auth.login"),
        id_token_hint=id_token or None, client_id=current_app.config["OIDC_CLIENT_ID"])["url"]
