"""The university sign-in's callback (state check, token exchange with the local oidc-provider, ID token checked
against its cached keys, the account found by issuer and subject, a session started) against the signed-in home
page, side by side in one run, under gunicorn. Limit: p95 within 5x.

Each round first walks fresh sign-ins to the point where the provider redirects back with a code (the provider
remembers the student's login and consent, as a phone signed in to the university does), then measures the
callbacks and as many home pages, interleaved round by round. The provider's code lives 60 seconds, so a round
is small.

Run: .venv/bin/python -m bench.bench_sign_in   (needs `npm ci` in tests/oidc/provider, as for the tests)
"""
import sys
from queue import SimpleQueue

import requests

from bench.harness import Client, Server, fresh_database, house_with_admin, measure, percentile, report, sized
from tests.fixtures.oidc import running_provider, through_provider

STUDENTS = [f"student{n}@example.ac.za" for n in range(8)]  # each callback of a round is another student's
REQUESTS = sized(240, 120)
ROUNDS = sized(8, 4)
CONCURRENCY = 4
LIMIT = 5.0


def seed(app) -> None:
    from app.extensions import db
    from app.models.accounts import Role, User

    with app.app_context():
        house, _hashed = house_with_admin("1-50")
        db.session.add_all([User(email=email, name=f"Student {n}", role=Role.STUDENT, house_id=house.id,
                                 room_id=house.rooms[n].id) for n, email in enumerate(STUDENTS)])
        db.session.commit()


def started_sign_ins(server: Server, at_provider: dict[str, requests.Session], count: int) -> SimpleQueue:
    """`count` browsers, each with a sign-in started at the app and the callback URL the provider sent back, the
    students taking turns (`at_provider`: each student's browser session at the provider)."""
    ready = SimpleQueue()
    for n in range(count):
        email = STUDENTS[n % len(STUDENTS)]
        browser = requests.Session()
        start = browser.get(server.url + "/login/university", allow_redirects=False, timeout=30)
        ready.put((browser, server.url + through_provider(at_provider[email], start.headers["Location"], email)))
    return ready


def main() -> int:
    with running_provider() as provider, fresh_database("sign_in") as (url, app):
        seed(app)
        env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9", "OIDC_ISSUER": provider.issuer,
               "OIDC_CLIENT_ID": provider.client_id, "OIDC_CLIENT_SECRET": provider.client_secret}
        with Server(url, workers=2, threads=4, env=env) as server:
            at_provider, home = {email: requests.Session() for email in STUDENTS}, Client(server)
            warm = started_sign_ins(server, at_provider, len(STUDENTS))  # login and consent; each worker's keys
            for _ in range(len(STUDENTS)):
                browser, callback = warm.get()
                assert browser.get(callback, allow_redirects=False, timeout=30).status_code == 302
            home.session.cookies.update(browser.cookies)  # signed in (a university session) for the home page
            assert "Report an issue" in home.get("/").text
            results = {"callback": [], "home": []}
            per_round = max(1, REQUESTS // ROUNDS)
            for _ in range(ROUNDS):
                ready = started_sign_ins(server, at_provider, per_round)

                def one_callback(ready=ready):
                    browser, callback = ready.get()
                    return browser.get(callback, allow_redirects=False, timeout=30)

                results["callback"] += measure(one_callback, per_round, CONCURRENCY, expect=(302,))
                results["home"] += measure(lambda: home.get("/"), per_round, CONCURRENCY)
    for label, values in results.items():
        print(f"{label}: n={len(values)} p50 {percentile(values, 50) * 1000:.1f} ms, "
              f"p95 {percentile(values, 95) * 1000:.1f} ms")
    ok = report("sign_in: university sign-in callback p95 vs home page p95", percentile(results["callback"], 95),
                percentile(results["home"], 95), LIMIT)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
