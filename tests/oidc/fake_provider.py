"""A tiny hand-made OpenID Provider, in-process, for token-level attacks the real one never makes: it answers
discovery, its key set and the token endpoint, and signs whatever ID token the test shapes (with joserfc, as a
provider would). `issue` is the claims of the next ID token; `sign_with` another key makes a forged one;
`delay` makes the token endpoint slow; `token_status` makes it refuse."""
import json
import threading
import time
from types import SimpleNamespace

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.fixtures.servers import free_port

CLIENT_ID = "fake-client"


class FakeProvider:
    def __init__(self):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published"})
        self.sign_with = self.key
        self.delay = 0.0
        self.token_status = 200
        self.issue: dict = {}  # claims to set (None removes one) on top of the good ones
        self.token_requests = 0
        self.nonces: dict[str, str] = {}  # code -> the nonce its ID token carries
        self.raw_id_token: str | None = None  # sent as it is instead of a signed one
        self._server = make_server("127.0.0.1", self.port, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def settings(self) -> dict:
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": "fake-secret",
                "OIDC_ALLOWED_DOMAINS": ["example.ac.za"], "OIDC_TIMEOUT": 1.0}

    def start(self) -> "FakeProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "fake-sub-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": "fake.student@example.ac.za", "email_verified": True, "name": "Fake S"}
        claims.update(self.issue)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode({"alg": "RS256", "kid": self.sign_with.kid}, claims, self.sign_with)

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/.well-known/openid-configuration":
            body = {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/auth",
                    "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                    "end_session_endpoint": self.issuer + "/logout",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"]}
        elif request.path == "/jwks":
            body = KeySet([self.key]).as_dict(private=False)
        elif request.path == "/token":
            self.token_requests += 1
            time.sleep(self.delay)
            if self.token_status != 200:
                return Response(json.dumps({"error": "invalid_grant"}), self.token_status,
                                mimetype="application/json")(environ, start_response)
            nonce = self.nonces.get(request.form.get("code"), "")
            body = {"access_token": "fake-access", "token_type": "Bearer", "expires_in": 300,
                    "id_token": self.raw_id_token or self.id_token(nonce)}
        else:
            return Response("not found", 404)(environ, start_response)
        return Response(json.dumps(body), mimetype="application/json")(environ, start_response)


def start_login(client) -> SimpleNamespace:
    """Start a sign-in with the Flask test client; the authorization request's parameters."""
    from urllib.parse import parse_qs, urlsplit

    response = client.get("/login/university")
    assert response.status_code == 302, response.get_data(as_text=True)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return SimpleNamespace(**{name: values[0] for name, values in query.items()})
