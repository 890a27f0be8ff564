"""Load: 64 concurrent clients for 60 seconds against gunicorn + MariaDB with the mail worker running, side by
side with a bare Flask app doing one INSERT per request (bench/wsgi_baseline.py) under the same gunicorn and the
same 64 clients, in the same run.

The 64 clients: 48 students (every fourth turn a report with a photo, else their issue list, an issue and its
photo), 15 house admins (the queue, then moving one issue on: reported -> in progress -> resolved) and one admin
who presses the reminder button once (1,000 students without a form) and then browses the queue.

Prints requests per second against the baseline (goal: at least 0.5 of it), p50/p99 per route, the number of
5xx answers (goal: 0) and each gunicorn worker's peak memory (VmHWM). Exits non-zero when a goal is missed.

Then, for scale, the floor: the 48 students, each asking only for the home page (a session look-up and
the layout, no page queries) and for their issue list, as a ratio of the same baseline. The mix cannot do better
than its cheapest pages; in-process a report with a photo costs about twelve home pages (24 ms against 2).

Run: .venv/bin/python -m bench.bench_load   (BENCH_QUICK=1: 15 s a side; BENCH_DATABASE_URL picks the server)
"""
import io
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from PIL import Image
from werkzeug.security import generate_password_hash

from bench.bench_report import MailWorker
from bench.harness import QUICK, Client, Server, free_port, fresh_database, percentile, sized

DURATION = sized(60, 15)
STUDENTS, ADMINS = 48, 15  # + the one who presses the reminder button: 64 clients
WAITING_STUDENTS = 1000    # students of the first house without a move-in form: the reminder batch
ISSUES_PER_ADMIN = 400
GUNICORN = {"workers": 2, "threads": 8}  # README's deployment command, as operators run it
KEEP_ALIVE = ["--keep-alive", "75"]  # also the README's: gunicorn's 2 s closes connections a client reuses (resets)
RATIO_GOAL = 0.5
PASSWORD = "bench-password-1"
REPORT = {"category": "plumbing", "location": "room", "title": "Tap drips", "urgency": "normal",
          "description": "The bathroom tap drips all night long."}


def photo() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((640, 480), 40).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def seed(app) -> tuple[list[int], dict[int, list[int]]]:
    """Houses, students, admins and issues; returns each student's issue id and each admin's issues to move."""
    from app.extensions import db
    from app.house_setup import create_house, parse_rooms
    from app.models.accounts import Role, User
    from app.models.issues import Issue, IssueSubscription

    hashed = generate_password_hash(PASSWORD)
    with app.app_context():
        houses = [create_house(f"House {h}", f"house{h}", parse_rooms("1-1100"), ["Kitchen"]) for h in range(3)]
        db.session.flush()
        admins = [User(email=f"admin{i}@example.ac.za", name=f"Admin {i}", role=Role.ADMIN, password_hash=hashed,
                       admin_houses=[houses[i % 3]]) for i in range(ADMINS + 1)]
        students = [User(email=f"student{i}@example.ac.za", name=f"Student {i}", role=Role.STUDENT,
                         house=houses[i % 3], room=houses[i % 3].rooms[i], password_hash=hashed)
                    for i in range(STUDENTS)]
        waiting = [User(email=f"waiting{i}@example.ac.za", name=f"Waiting {i}", role=Role.STUDENT, house=houses[0],
                        room=houses[0].rooms[100 + i], password_hash=hashed) for i in range(WAITING_STUDENTS)]
        db.session.add_all(admins + students + waiting)
        db.session.flush()
        own = [Issue(house_id=s.house_id, reporter_id=s.id, room_id=s.room_id, category="plumbing",
                     title="Window stuck", description="It does not open.") for s in students]
        pools = {i: [Issue(house_id=houses[i % 3].id, reporter_id=students[i % STUDENTS].id, category="electrical",
                           title=f"Light {n}", description="The light flickers.") for n in range(ISSUES_PER_ADMIN)]
                 for i in range(ADMINS)}
        db.session.add_all(own + [issue for pool in pools.values() for issue in pool])
        db.session.flush()
        db.session.add_all(IssueSubscription(issue_id=i.id, user_id=i.reporter_id) for i in own)
        db.session.commit()
        return [i.id for i in own], {admin: [i.id for i in pool] for admin, pool in pools.items()}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[int, int] = defaultdict(int)
        self.failures: list[str] = []

    def call(self, route: str, send, *args, **kwargs):
        start = time.perf_counter()
        try:
            response = send(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a refused or timed-out request is counted, not fatal
            with self.lock:
                self.failures.append(f"{route}: {type(exc).__name__}: {str(exc)[:80]}")
            return None
        elapsed = time.perf_counter() - start
        with self.lock:
            self.latencies[route].append(elapsed)
            self.statuses[response.status_code] += 1
        return response

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def run_clients(loops: list, duration: float) -> None:
    deadline = time.monotonic() + duration
    threads = [threading.Thread(target=loop, args=(deadline,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def student_loop(client: Client, issue_id: int, image: bytes, rec: Recorder):
    def loop(deadline: float) -> None:
        turn, photo_url = random.randrange(4), None
        while time.monotonic() < deadline:
            turn += 1
            if turn % 4 == 0:
                response = rec.call("POST /issues/new (photo)", client.post, "/issues/new", data=REPORT,
                                    files={"photos": ("tap.jpg", image, "image/jpeg")})
                if response is not None and response.status_code == 302:
                    page = rec.call("GET /issues/<id> (after the report)", client.get, response.headers["Location"])
                    found = [p for p in page.text.split('"') if "/photos/" in p] if page is not None else []
                    photo_url = found[0] if found else photo_url
                continue
            rec.call("GET /issues/", client.get, "/issues/")
            rec.call("GET /issues/<id>", client.get, f"/issues/{issue_id}")
            if photo_url:
                rec.call("GET photo", client.get, photo_url)
    return loop


def admin_loop(client: Client, pool: list[int], rec: Recorder, press_after: float | None = None):
    def loop(deadline: float) -> None:
        moves = iter([(issue, status) for issue in pool for status in ("in_progress", "resolved")])
        start = time.monotonic()
        pressed = press_after is None
        while time.monotonic() < deadline:
            if not pressed and time.monotonic() - start >= press_after:
                pressed = True
                rec.call("POST /admin/move-in/reminders", client.post, "/admin/move-in/reminders",
                         data={"house": "house0"}, headers={"Accept": "application/json"})
                continue
            rec.call("GET /admin/", client.get, "/admin/")
            move = next(moves, None)
            if move:
                issue, status = move
                rec.call("POST /admin/issues/<id>", client.post, f"/admin/issues/{issue}",
                         data={"status": status, "comment": "On it.", "visibility": "public"})
    return loop


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def login_all(server: Server, emails: list[str]) -> list[Client]:
    clients: list[Client | None] = [None] * len(emails)

    def one(i: int) -> None:
        clients[i] = Client(server).login(emails[i], PASSWORD)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(emails))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients


def measure_baseline(url: str) -> float:
    env = {"DATABASE_URL": url}
    server = Server(url, env=env, **GUNICORN)
    server.args[-1:] = [*KEEP_ALIVE, "bench.wsgi_baseline:app"]
    server.env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    rec = Recorder()
    with server:
        import requests

        def loop(deadline: float) -> None:
            session = requests.Session()
            while time.monotonic() < deadline:
                rec.call("GET / (baseline)", session.get, server.url + "/", timeout=60)

        run_clients([loop] * (STUDENTS + ADMINS + 1), DURATION)
    rps = rec.count / DURATION
    print(f"baseline (bare Flask, one INSERT a request): {rec.count} requests in {DURATION} s = {rps:.1f}/s, "
          f"p99 {percentile(rec.latencies['GET / (baseline)'], 99) * 1000:.0f} ms, failures {len(rec.failures)}",
          flush=True)
    return rps


def page_loop(client: Client, path: str, rec: Recorder):
    def loop(deadline: float) -> None:
        while time.monotonic() < deadline:
            rec.call(path, client.get, path)
    return loop


def floor(clients: list[Client], baseline: float) -> None:
    """The cheapest signed-in pages, asked for by the students alone, against the same baseline."""
    for path in ("/", "/issues/"):
        rec = Recorder()
        run_clients([page_loop(c, path, rec) for c in clients], DURATION / 3)
        rps = rec.count / (DURATION / 3)
        print(f"  floor: GET {path} only, signed in: {rps:.1f}/s = {rps / baseline:.2f} of the baseline", flush=True)


def main() -> int:
    from app.emailer.catcher import start_catcher

    mail_dir = Path(tempfile.mkdtemp(prefix="bench-load-mail-"))
    smtp_port = free_port()
    start_catcher(mail_dir, "127.0.0.1", smtp_port)
    image = photo()
    with fresh_database("load") as (url, app):
        own, pools = seed(app)
        baseline = measure_baseline(url)
        env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port), "MAIL_DAILY_LIMIT": "1000000",
               "ISSUE_REPORTS_PER_HOUR": "1000000", "ISSUE_REPORTS_PER_DAY": "1000000",
               "PHOTO_STORE": os.environ.get("BENCH_PHOTO_STORE", "database")}
        server = Server(url, env=env, **GUNICORN)
        server.args[-1:] = [*KEEP_ALIVE, "wsgi:app"]
        with server, MailWorker(server, smtp_port):
            students = login_all(server, [f"student{i}@example.ac.za" for i in range(STUDENTS)])
            admins = login_all(server, [f"admin{i}@example.ac.za" for i in range(ADMINS + 1)])
            for client in students:
                client.csrf("/issues/new")
            rec = Recorder()
            loops = [student_loop(c, own[i], image, rec) for i, c in enumerate(students)]
            loops += [admin_loop(c, pools[i], rec) for i, c in enumerate(admins[:ADMINS])]
            loops.append(admin_loop(admins[ADMINS], [], rec, press_after=DURATION / 3))
            run_clients(loops, DURATION)
            workers = {pid: peak_memory_mb(pid) for pid in children(server.process.pid)}
            report_load(rec, baseline, workers)
            floor(students, baseline)
    return 0 if rec.count / DURATION / baseline >= RATIO_GOAL and not rec.failures and not any(
        status >= 500 for status in rec.statuses) else 1


def report_load(rec: Recorder, baseline: float, workers: dict[int, float]) -> None:
    rps = rec.count / DURATION
    errors = sum(n for status, n in rec.statuses.items() if status >= 500)
    statuses = dict(sorted(rec.statuses.items()))
    print(f"load{' [quick]' if QUICK else ''}: {rec.count} requests in {DURATION} s = {rps:.1f}/s, "
          f"{rps / baseline:.2f} of the baseline (goal >= {RATIO_GOAL}); statuses {statuses}, "
          f"5xx {errors} (goal 0), failed requests {len(rec.failures)}")
    if rec.failures:
        kinds = defaultdict(int)
        for failure in rec.failures:
            kinds[failure] += 1
        print("  failed requests: " + ", ".join(f"{kind} x{n}" for kind, n in sorted(kinds.items())))
    for route, values in sorted(rec.latencies.items()):
        print(f"  {route}: n={len(values)} p50 {percentile(values, 50) * 1000:.0f} ms, "
              f"p99 {percentile(values, 99) * 1000:.0f} ms")
    print("  gunicorn workers' peak memory: " + ", ".join(f"pid {pid} {mb:.0f} MB" for pid, mb in workers.items()),
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
