"""Load: 64 concurrent clients against gunicorn + MariaDB with the mail worker running, the app and its peer floor
(bench/wsgi_peer.py: the same pages, tables, queries, page sizes and photo re-encode without the app's layers)
under the same gunicorn and the same 64 clients, interleaved (app, peer, peer, app: 60 seconds a side in all).
A bare Flask app doing one INSERT per request (bench/wsgi_baseline.py) runs first, for scale.

The 64 clients: 48 students (every fourth turn a report with a photo, else their issue list, an issue and its
photo), 15 house admins (the queue, then moving one issue on: reported -> in progress -> resolved; the app and the
peer move different halves of each admin's issues) and one admin who presses the reminder button once a side
(1,000 students without a form) and then browses the queue.

Prints the app's requests per second as a ratio of the peer's (goal issue 24: at least 0.85) and of the bare
INSERT's (printed without a limit: about 0.25-0.3 is the honest level on two cores), p50/p99 and the mean answer
size per route on each side, the number of 5xx answers (goal: 0) and each gunicorn worker's peak memory (VmHWM;
goal: at most PEAK_MB for the app's).
Exits non-zero when a goal is missed. Then the home page alone (the session look-up and the layout), app against
peer, for scale.

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
PEER_GOAL = 0.85  # the app's requests per second over the peer floor's (issue 24)
PEAK_MB = 200  # each app worker's peak (issue 24): 118-119 MB quick, 277-322 before sign-ins hashed in turn
SIDES = ("app", "peer", "peer", "app")  # interleaved segments, DURATION / 2 each: machine drift hits both alike
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
        self.sizes: dict[str, int] = defaultdict(int)
        self.failures: list[str] = []
        self.seconds = 0.0  # how long clients ran against this side

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
            self.sizes[route] += len(response.content)
        return response

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def run_clients(loops: list, duration: float) -> None:
    deadline = time.monotonic() + duration
    threads = [threading.Thread(target=loop, args=(deadline,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def student_loop(client: Client, issue_id: int, image: bytes, rec: Recorder):
    turn, photo_url = random.randrange(4), None

    def loop(deadline: float) -> None:
        nonlocal turn, photo_url
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
    """The admin's turns; its moves and its one press carry on from one segment to the next."""
    moves = iter([(issue, status) for issue in pool for status in ("in_progress", "resolved")])
    pressed = press_after is None

    def loop(deadline: float) -> None:
        nonlocal pressed
        start = time.monotonic()
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

        run_clients([loop] * (STUDENTS + ADMINS + 1), DURATION / 2)
    rps = rec.count / (DURATION / 2)
    print(f"bare baseline (Flask, one INSERT a request): {rec.count} requests in {DURATION / 2:.0f} s = {rps:.1f}/s, "
          f"p99 {percentile(rec.latencies['GET / (baseline)'], 99) * 1000:.0f} ms, failures {len(rec.failures)}",
          flush=True)
    return rps


def page_loop(client: Client, path: str, rec: Recorder):
    def loop(deadline: float) -> None:
        while time.monotonic() < deadline:
            rec.call(path, client.get, path)
    return loop


def home_only(sides: dict, duration: float) -> None:
    """The home page alone (session look-up and layout), asked for by the students, app and peer interleaved."""
    rates = {}
    for side in ("app", "peer", "peer", "app"):
        rec = Recorder()
        run_clients([page_loop(c, "/", rec) for c in sides[side]["students"]], duration / 2)
        rates[side] = rates.get(side, 0) + rec.count / duration
    print(f"  home page only, signed in: app {rates['app']:.1f}/s, peer {rates['peer']:.1f}/s = "
          f"{rates['app'] / rates['peer']:.2f} of the peer", flush=True)


def start_side(name: str, url: str, env: dict, own: list[int], pools: dict[int, list[int]], image: bytes) -> dict:
    """One side (the app or the peer) under gunicorn, its clients signed in and their loops ready."""
    server = Server(url, env=env, **GUNICORN)
    server.args[-1:] = [*KEEP_ALIVE, "wsgi:app" if name == "app" else "bench.wsgi_peer:app"]
    server.__enter__()
    students = login_all(server, [f"student{i}@example.ac.za" for i in range(STUDENTS)])
    admins = login_all(server, [f"admin{i}@example.ac.za" for i in range(ADMINS + 1)])
    for client in students:
        client.csrf("/issues/new")
    half = 0 if name == "app" else 1  # each side moves its own half of every admin's issues
    rec = Recorder()
    loops = [student_loop(c, own[i], image, rec) for i, c in enumerate(students)]
    loops += [admin_loop(c, pools[i][half::2], rec) for i, c in enumerate(admins[:ADMINS])]
    loops.append(admin_loop(admins[ADMINS], [], rec, press_after=DURATION / 6))
    return {"server": server, "students": students, "loops": loops, "rec": rec}


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
               "PHOTO_STORE": os.environ.get("BENCH_PHOTO_STORE", "database"),
               "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        sides = {name: start_side(name, url, env, own, pools, image) for name in ("app", "peer")}
        try:
            with MailWorker(sides["app"]["server"], smtp_port):
                for name in SIDES:
                    side = sides[name]
                    started = time.monotonic()
                    run_clients(side["loops"], DURATION / 2)
                    side["rec"].seconds += time.monotonic() - started
                workers = {name: {pid: peak_memory_mb(pid) for pid in children(side["server"].process.pid)}
                           for name, side in sides.items()}
                app_rec, peer_rec = sides["app"]["rec"], sides["peer"]["rec"]
                report_load("app", app_rec, workers["app"])
                report_load("peer", peer_rec, workers["peer"])
                ratio = app_rec.rate / peer_rec.rate
                print(f"app / peer floor: {app_rec.rate:.1f} / {peer_rec.rate:.1f} requests a second = {ratio:.2f} "
                      f"(goal >= {PEER_GOAL}) {'OK' if ratio >= PEER_GOAL else 'UNDER'}; app / bare INSERT "
                      f"{baseline:.1f}/s = {app_rec.rate / baseline:.2f}, peer / bare INSERT "
                      f"{peer_rec.rate / baseline:.2f} (no limit)", flush=True)
                home_only(sides, DURATION / 3)
        finally:
            for side in sides.values():
                side["server"].__exit__()
    peak = max(workers["app"].values())
    print(f"app workers' peak memory {peak:.0f} MB (limit {PEAK_MB} MB) {'OK' if peak <= PEAK_MB else 'OVER'}")
    return 0 if ratio >= PEER_GOAL and peak <= PEAK_MB and not app_rec.failures and not any(
        status >= 500 for status in app_rec.statuses) else 1


def report_load(name: str, rec: Recorder, workers: dict[int, float]) -> None:
    errors = sum(n for status, n in rec.statuses.items() if status >= 500)
    statuses = dict(sorted(rec.statuses.items()))
    print(f"{name}{' [quick]' if QUICK else ''}: {rec.count} requests in {rec.seconds:.0f} s = {rec.rate:.1f}/s; "
          f"statuses {statuses}, 5xx {errors} (goal 0), failed requests {len(rec.failures)}")
    if rec.failures:
        kinds = defaultdict(int)
        for failure in rec.failures:
            kinds[failure] += 1
        print("  failed requests: " + ", ".join(f"{kind} x{n}" for kind, n in sorted(kinds.items())))
    for route, values in sorted(rec.latencies.items()):
        print(f"  {route}: n={len(values)} p50 {percentile(values, 50) * 1000:.0f} ms, "
              f"p99 {percentile(values, 99) * 1000:.0f} ms, {rec.sizes[route] / len(values) / 1000:.1f} KB")
    print("  gunicorn workers' peak memory: " + ", ".join(f"pid {pid} {mb:.0f} MB" for pid, mb in workers.items()),
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
