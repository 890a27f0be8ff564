"""The cost of the limits on a report: POST /issues/new under gunicorn with the report rate limit and the
per-cause mail cap checked, against the same app with both switched off (bench/wsgi_uncapped.py), two servers
on two databases of one MariaDB, measured in alternating rounds of one run. Limit: p99 ratio 1.2.

Run: .venv/bin/python -m bench.bench_report_caps   (BENCH_DATABASE_URL / TEST_DATABASE_URL pick the server)
"""
import os
import sys

from bench.bench_report import seed
from bench.harness import PASSWORD, ROOT, Client, Server, fresh_database, measure, percentile, print_latencies, report

# A p99 needs several hundred samples a side to mean anything: quick mode keeps the full size here (about 40 s).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 4))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", 150))
CONCURRENCY = 4
# One person reports from one phone: sixteen students take turns, so two requests of one student (which wait for
# each other's limit check, by design) are as rare as in a residence.
STUDENTS = 16
LIMIT = 1.2
# Limits that never refuse here: both servers do the same work, one of them also checks and counts.
ENV = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9", "ISSUE_REPORTS_PER_HOUR": "1000000",
       "ISSUE_REPORTS_PER_DAY": "1000000", "MAIL_DAILY_LIMIT": "100000000", "ISSUE_NEW_MAIL_DELAY": "0"}
FORM = {"category": "plumbing", "location": "room", "title": "Tap drips", "urgency": "normal",
        "description": "The bathroom tap drips all night long."}


def poster(server: Server):
    clients = [Client(server).login(f"student{i}@example.ac.za", PASSWORD) for i in range(STUDENTS)]
    for client in clients:
        client.csrf("/issues/new")
    turn = iter(range(10**9))
    return lambda: clients[next(turn) % STUDENTS].post("/issues/new", data=FORM)


def main() -> int:
    with fresh_database("report_caps") as (capped_url, capped_app), \
            fresh_database("report_uncapped") as (plain_url, plain_app):
        seed(capped_app, STUDENTS)
        seed(plain_app, STUDENTS)
        plain_server = Server(plain_url, workers=2, threads=4, env=ENV)
        plain_server.args[-1] = "bench.wsgi_uncapped:app"
        with Server(capped_url, workers=2, threads=4, env=ENV) as capped_server, plain_server:
            posts = {"capped": poster(capped_server), "plain": poster(plain_server)}
            for post in posts.values():
                measure(post, 20, CONCURRENCY, expect=(302,))  # warm up
            latencies = {name: [] for name in posts}
            for round_ in range(ROUNDS):
                for name in (("capped", "plain") if round_ % 2 else ("plain", "capped")):
                    latencies[name] += measure(posts[name], REQUESTS_PER_ROUND, CONCURRENCY, expect=(302,))
    print_latencies(latencies)
    ok = report("POST /issues/new p99, limits checked vs switched off", percentile(latencies["capped"], 99),
                percentile(latencies["plain"], 99), LIMIT)
    return 0 if ok else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
