"""In-process CPU per request of bench_load's pages, the app against its peer floor (bench/wsgi_peer.py), on one
seeded database: CPU milliseconds (this process's, so the database server's time is left out) and SQL
statements per request, each side's Flask test client signed in as the same student and admin.

Run: .venv/bin/python -m bench.profile_pages [route-label]   (a label: cProfile of the app on that route, top 40)
BENCH_DATABASE_URL picks the server, as for the benchmarks. Not part of `make bench`: no limit, a tool.
"""
import cProfile
import os
import pstats
import re
import sys
import time
from contextlib import contextmanager

import sqlalchemy as sa

from bench.bench_load import PASSWORD, REPORT, photo, seed
from bench.harness import fresh_database, server_url

CONFIG = {"SECRET_KEY": "bench", "PHOTO_STORE": "database", "ALLOWED_EMAIL_DOMAINS": ["example.ac.za"],
          "MAIL_DAILY_LIMIT": 1000000, "ISSUE_REPORTS_PER_HOUR": 1000000, "ISSUE_REPORTS_PER_DAY": 1000000,
          "LOGIN_THROTTLE_LIMIT": 100000}  # bench_load's settings
ROUNDS = int(os.environ.get("PROFILE_ROUNDS", "200"))


def signed_in(test_client, email: str) -> tuple:
    page = test_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = test_client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    page = test_client.get("/issues/new").get_data(as_text=True)
    return test_client, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def routes(flask_app, own_issue: int, pool: list[int]) -> dict:
    """label -> a call that makes one request (and checks its status)."""
    student, token = signed_in(flask_app.test_client(), "student0@example.ac.za")
    admin, admin_token = signed_in(flask_app.test_client(), "admin0@example.ac.za")
    image = photo()
    reported = student.post("/issues/new", data={**REPORT, "csrf_token": token,
                                                 "photos": [(__import__("io").BytesIO(image), "tap.jpg")]})
    assert reported.status_code == 302, reported.status_code
    page = student.get(reported.headers["Location"]).get_data(as_text=True)
    photo_url = [p for p in page.split('"') if "/photos/" in p][0]
    moves = iter([(issue, status) for issue in pool for status in ("in_progress", "resolved")] * 10)

    def get(client, path):
        return lambda: check(client.get(path), 200)

    def report():
        import io
        check(student.post("/issues/new", data={**REPORT, "csrf_token": token,
                                                "photos": [(io.BytesIO(image), "tap.jpg")]}), 302)

    def move():
        issue, status = next(moves)
        check(admin.post(f"/admin/issues/{issue}", data={"csrf_token": admin_token, "status": status,
                                                         "comment": "On it.", "visibility": "public"}), 302)

    return {"home": get(student, "/"), "issue list": get(student, "/issues/"),
            "issue page": get(student, f"/issues/{own_issue}"), "photo": get(student, photo_url),
            "report": report, "admin queue": get(admin, "/admin/"), "status change": move}


def check(response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.status_code} {response.request.path}")


class Statements:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *args):
        self.count += 1


def measure(call, statements: Statements, rounds: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    before, start = statements.count, time.process_time()
    for _ in range(rounds):
        call()
    cpu = (time.process_time() - start) / rounds * 1000
    return cpu, (statements.count - before) / rounds


@contextmanager
def seeded():
    """(url, own issue ids, admins' pools): a fresh database, or with PROFILE_KEEP=1 the BENCH_DATABASE_URL database
    itself, seeded on first use and kept (repeated profiles skip the minute of seeding)."""
    if os.environ.get("PROFILE_KEEP") != "1":
        with fresh_database("profile") as (url, app):
            yield url, *seed(app)
        return
    from app import create_app
    from app.extensions import db
    from app.models import Base

    url = server_url()
    app = create_app({**CONFIG, "PHOTO_STORE": "folder", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        empty = db.session.scalar(sa.text("SELECT count(*) FROM users")) == 0
    if empty:
        seed(app)
    with app.app_context():
        own = [db.session.scalar(sa.text("SELECT min(i.id) FROM issues i JOIN users u ON u.id = i.reporter_id "
                                         "WHERE u.email = 'student0@example.ac.za'"))]
        pools = {0: list(db.session.scalars(sa.text("SELECT i.id FROM issues i JOIN users u ON u.id = i.reporter_id "
                                                    "WHERE i.title LIKE 'Light %' AND u.email = "
                                                    "'student0@example.ac.za' AND i.house_id = u.house_id "
                                                    "ORDER BY i.id")))}
        db.engine.dispose()
    yield url, own, pools


def main() -> None:
    from app import create_app
    from app.extensions import db

    with seeded() as (url, own, pools):
        os.environ["DATABASE_URL"] = url
        app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        from bench import wsgi_peer

        with app.app_context():
            app_statements = Statements(db.engine)
        peer_statements = Statements(wsgi_peer.engine)
        sides = {"app": (routes(app, own[0], pools[0][0::2]), app_statements),
                 "peer": (routes(wsgi_peer.app, own[0], pools[0][1::2]), peer_statements)}
        only = sys.argv[1] if len(sys.argv) > 1 else None
        if only:
            call = sides["app"][0][only]
            for _ in range(5):
                call()
            if os.environ.get("PROFILE_TREE"):  # pyinstrument's call tree (pip install pyinstrument)
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0002)  # wall time: waits on the database count too
                profiler.start()
                for _ in range(ROUNDS):
                    call()
                profiler.stop()
                print(profiler.output_text(unicode=False, show_all=False, color=False,
                                           time="percent_of_total"))
                return
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(ROUNDS):
                call()
            profile.disable()
            if os.environ.get("PROFILE_OUT"):
                profile.dump_stats(os.environ["PROFILE_OUT"])
            pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(60)
            return
        print(f"{'request':<14} {'app ms':>7} {'peer ms':>8} {'ratio':>6} {'stmts app/peer':>15}")
        for label in sides["app"][0]:
            rounds = ROUNDS // 5 if label == "report" else ROUNDS
            figures = {side: measure(calls[label], statements, rounds) for side, (calls, statements) in sides.items()}
            (app_ms, app_n), (peer_ms, peer_n) = figures["app"], figures["peer"]
            print(f"{label:<14} {app_ms:7.2f} {peer_ms:8.2f} {app_ms / peer_ms:6.2f} {app_n:7.1f} / {peer_n:<5.1f}",
                  flush=True)


if __name__ == "__main__":
    main()
