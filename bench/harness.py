"""Shared benchmark machinery.

- `fresh_database(name)`: an empty database with the migrated schema (MariaDB when BENCH_DATABASE_URL or
  TEST_DATABASE_URL points at a server, else a SQLite file) and an app bound to it for seeding.
- `Server(database_url, workers=2, env={...})`: gunicorn serving wsgi:app on a free loopback port.
- `Client(server).login(email, password)`: a logged-in requests session that knows its CSRF token.
- `measure(call, requests, concurrency)`: latencies (seconds) of `call()` run from `concurrency` threads.
- `percentile(latencies, 95)` and `report(name, candidate, baseline, limit)`: one line with the ratio.
- `sized(full, quick)`: a sample size or round count; BENCH_QUICK=1 (CI) picks the smaller one, limits stay.

Every benchmark measures its baseline side by side in the same run: absolute times on a shared 2-core machine
mean little, ratios do.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MARIADB = "mysql+pymysql://root:@127.0.0.1/test"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def sized(full: int, quick: int) -> int:
    """`full`, or `quick` under BENCH_QUICK=1: fewer requests, rounds or rows, the same data scale and limits."""
    return quick if QUICK else full


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_url() -> str:
    """The MariaDB/MySQL server benchmarks use (database name ignored)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_MARIADB


@contextmanager
def fresh_database(name: str, sqlite: bool = False):
    """Yield (database_url, app) for a new empty database with every table; dropped afterwards."""
    from app import create_app
    from app.extensions import db
    from app.models import Base

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    if sqlite:
        url = f"sqlite:///{tmp}/bench.db"
        server = None
    else:
        base = sa.make_url(server_url())
        server = sa.create_engine(base.set(database=None))
        dbname = f"bench_{name}_{os.getpid()}"  # two runs on one server never share a database
        with server.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{dbname}`"))
            conn.execute(sa.text(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4"))
        url = base.set(database=dbname).render_as_string(hide_password=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "ALLOWED_EMAIL_DOMAINS": ["example.ac.za"],
                      "UPLOAD_FOLDER": str(tmp / "uploads")})
    with app.app_context():
        Base.metadata.create_all(db.engine)
    try:
        yield url, app
    finally:
        with app.app_context():
            db.engine.dispose()
        if server is not None:
            with server.begin() as conn:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{dbname}`"))
            server.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


class Server:
    """gunicorn running wsgi:app against `database_url` on a free port (context manager)."""

    def __init__(self, database_url: str, workers: int = 2, threads: int = 4, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = tempfile.mkdtemp(prefix="bench-instance-")
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "ALLOWED_EMAIL_DOMAINS": "example.ac.za",
            "INSTANCE_PATH": self.instance,
            "BASE_URL": self.url,
            "LOGIN_THROTTLE_LIMIT": "100000",
            **(env or {}),
        }
        self.args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                     "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        try:
            self._wait_until_healthy(timeout=60)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.instance, ignore_errors=True)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """A requests session against a Server; thread-safe enough for GETs and form POSTs in benchmarks."""

    def __init__(self, server: Server):
        self.base = server.url
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32)
        self.session.mount("http://", adapter)
        self.csrf_token: str | None = None

    def csrf(self, path: str = "/login") -> str:
        page = self.session.get(self.base + path, timeout=30).text
        match = CSRF_RE.search(page)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        self.csrf_token = match[1]
        return self.csrf_token

    def login(self, email: str, password: str) -> "Client":
        token = self.csrf("/login")
        response = self.session.post(self.base + "/login", data={"csrf_token": token, "email": email,
                                                                 "password": password}, allow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError(f"login failed for {email}: {response.status_code}")
        self.csrf("/")  # refresh the token for the logged-in session
        return self

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=60, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        data = {"csrf_token": self.csrf_token, **(data or {})}
        return self.session.post(self.base + path, data=data, timeout=60, allow_redirects=False, **kwargs)


def measure(call, requests: int, concurrency: int = 4, expect: tuple[int, ...] = (200, 302)) -> list[float]:
    """Run `call()` `requests` times from `concurrency` threads; return each call's latency in seconds."""
    lock = threading.Lock()
    latencies: list[float] = []

    def one(_):
        start = time.perf_counter()
        response = call()
        elapsed = time.perf_counter() - start
        if getattr(response, "status_code", 200) not in expect:
            raise RuntimeError(f"unexpected status {response.status_code}")
        with lock:
            latencies.append(elapsed)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(requests)))
    return latencies


def interleaved(calls: dict, requests: int, concurrency: int = 4, rounds: int = 4) -> dict[str, list[float]]:
    """Measure several calls in alternating rounds so machine noise hits each of them alike."""
    results = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            results[name] += measure(call, max(1, requests // rounds), concurrency)
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def print_latencies(latencies: dict[str, list[float]]) -> None:
    """One line per measured call: count, p50 and p99 in milliseconds."""
    for name, values in latencies.items():
        print(f"{name}: n={len(values)} p50 {percentile(values, 50) * 1000:.1f} ms, "
              f"p99 {percentile(values, 99) * 1000:.1f} ms")


def report(name: str, candidate: float, baseline: float, limit: float, unit: str = "s") -> bool:
    """Print one result line with the ratio candidate/baseline and whether it is within `limit`."""
    ratio = candidate / baseline if baseline else float("inf")
    verdict = "OK" if ratio <= limit else "OVER"
    print(f"{name}{' [quick]' if QUICK else ''}: candidate {candidate:.4f}{unit}, baseline {baseline:.4f}{unit}, "
          f"ratio {ratio:.2f} (limit {limit}) {verdict}", flush=True)
    return ratio <= limit


PASSWORD = "bench-password-1"
ADMIN_EMAIL = "admin@example.ac.za"


def house_with_admin(rooms: str, common_areas=()):
    """Add 'Big House' and its admin (ADMIN_EMAIL / PASSWORD) to the session; returns (house, password hash).

    Call inside an app context; the caller commits. Reuse the hash for bulk-inserted students.
    """
    from werkzeug.security import generate_password_hash

    from app.extensions import db
    from app.house_setup import create_house, parse_rooms
    from app.models.accounts import Role, User

    house = create_house("Big House", "big", parse_rooms(rooms), list(common_areas))
    db.session.flush()
    hashed = generate_password_hash(PASSWORD)
    db.session.add(User(email=ADMIN_EMAIL, name="Admin", role=Role.ADMIN, password_hash=hashed,
                        admin_houses=[house]))
    return house, hashed


def compare_admin_pages(name: str, seed, paths: dict[str, str], candidate: str, title: str, limit: float,
                        requests: int, concurrency: int = 4) -> int:
    """Seed a fresh database, serve it, log in as the admin and measure each of `paths` ({label: path}, with a
    "home" label for the baseline) in interleaved rounds; print p50/p95 of each and the p95 ratio of
    `candidate` against "home". Returns the exit status (0 within `limit`)."""
    with fresh_database(name) as (url, app):
        seed(app)
        with Server(url, workers=2, threads=4, env={"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "9"}) as server:
            client = Client(server).login(ADMIN_EMAIL, PASSWORD)
            calls = {label: (lambda path=path: client.get(path)) for label, path in paths.items()}
            for call in calls.values():
                call()  # warm up
            results = interleaved(calls, requests, concurrency)
    for label, values in results.items():
        print(f"{label}: n={len(values)} p50 {percentile(values, 50) * 1000:.1f} ms, "
              f"p95 {percentile(values, 95) * 1000:.1f} ms")
    ok = report(title, percentile(results[candidate], 95), percentile(results["home"], 95), limit)
    return 0 if ok else 1
