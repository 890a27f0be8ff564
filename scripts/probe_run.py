"""CI probe of the README's `make run`: on a fresh clone, start it, use it as a student and an admin, stop it.

Clones this repository's HEAD into a temporary folder, runs `make run` there in a process group of its own
(SQLite, demo data, the local mail catcher and worker), waits for /healthz, reports an issue as the demo student,
moves it to in progress as the demo admin, waits for the status email in instance/mail/*.eml, then stops the whole
group and checks nothing of it is left running. Exit status 0 when every step worked.
"""
import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
STUDENT, ADMIN, PASSWORD = "student.acacia@example.ac.za", "admin.acacia@example.ac.za", "demo-rooftop-lantern"
START_TIMEOUT = float(os.environ.get("PROBE_START_TIMEOUT", 600))  # a fresh clone installs its venv first
MAIL_TIMEOUT = 60
TOKEN = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


class ProbeFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def step(message: str) -> None:
    print(f"probe: {message}", flush=True)


def post_form(session: requests.Session, url: str, data: dict, expect: int = 302) -> requests.Response:
    """GET the page, POST `data` with its CSRF token (field and header); the answer must be `expect`."""
    page = session.get(url, timeout=30)
    if page.status_code != 200:
        raise ProbeFailed(f"GET {url} answered {page.status_code}")
    token = TOKEN.search(page.text)
    headers = {"X-CSRFToken": token.group(1)} if token else {}
    data = {**data, "csrf_token": token.group(1)} if token else data
    response = session.post(url, data=data, headers=headers, allow_redirects=False, timeout=30)
    if response.status_code != expect:
        raise ProbeFailed(f"POST {url} answered {response.status_code}, not {expect}: {response.text[:500]}")
    return response


def log_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    post_form(session, base + "/login", {"email": email, "password": PASSWORD})
    return session


def wait_for_health(base: str, run: subprocess.Popen) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if run.poll() is not None:
            raise ProbeFailed(f"make run exited with {run.returncode} before /healthz answered")
        try:
            response = requests.get(base + "/healthz", timeout=5)
            if response.status_code == 200:
                return response.json()
        except requests.RequestException:
            pass
        time.sleep(1)
    raise ProbeFailed(f"/healthz did not answer 200 within {START_TIMEOUT:g} s")


def caught_text(path: Path) -> tuple[str, str]:
    """(envelope recipients, subject and plain-text body decoded) of a message the catcher stored."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return " ".join(message.get_all("X-Envelope-To", [])), f"{message['Subject']}\n{body.get_content() if body else ''}"


def wait_for_mail(folder: Path, to: str, markers: tuple[str, ...]) -> Path:
    deadline = time.monotonic() + MAIL_TIMEOUT
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")):
            recipients, text = caught_text(path)
            if to in recipients.split() and all(marker in text for marker in markers):
                return path
        time.sleep(1)
    raise ProbeFailed(f"no email to {to} with {markers} in {folder} within {MAIL_TIMEOUT} s")


def probe(base: str, clone: Path, run: subprocess.Popen) -> None:
    health = wait_for_health(base, run)
    step(f"/healthz answered: database {health.get('database')}")
    title = f"Probe tap dripping {int(time.time())}"
    student = log_in(base, STUDENT)
    reported = post_form(student, base + "/issues/new", {
        "category": "plumbing", "location": "room", "title": title, "urgency": "normal",
        "description": "The bathroom tap drips all night (reported by the CI probe)."})
    issue_id = re.search(r"/issues/(\d+)$", reported.headers["Location"]).group(1)
    step(f"the student reported issue {issue_id}")
    admin = log_in(base, ADMIN)
    post_form(admin, f"{base}/admin/issues/{issue_id}",
              {"status": "in_progress", "comment": "A plumber comes tomorrow.", "visibility": "public"})
    step("the admin moved it to in progress")
    mail = wait_for_mail(clone / "instance" / "mail", STUDENT, (f"[#{issue_id}]", "A plumber comes tomorrow."))
    step(f"the status email reached the catcher: {mail.name}")


def group_members(pgid: int) -> list[str]:
    """Live (not zombie) processes of process group `pgid`, as 'pid command'."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if int(rest[2]) == pgid and rest[0] != "Z":
            members.append(f"{stat.parent.name} {command}")
    return members


def stop(run: subprocess.Popen) -> None:
    """SIGTERM to the whole group (make, dev.sh, catcher, worker, flask and its reloader), SIGKILL after 20 s."""
    pgid = run.pid
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not group_members(pgid):
            break
    run.wait(timeout=10)
    left = group_members(pgid)
    if left:
        raise ProbeFailed(f"still running after stop: {left}")
    step("make run and everything it started are stopped")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="rinaibra-probe-"))
    clone = work / "rinaibra"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port, catcher_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "APP_ENV", "SECRET_KEY", "BASE_URL", "VIRTUAL_ENV")}
    env.update(ISSUE_MAIL_DELAY="0", FLASK_RUN_PORT=str(port), MAIL_CATCHER_PORT=str(catcher_port))
    log_path = work / "make-run.log"
    step(f"make run in {clone} (port {port}, catcher {catcher_port}), log in {log_path}")
    with open(log_path, "w") as log:
        run = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    failed = None
    try:
        probe(f"http://127.0.0.1:{port}", clone, run)
    except (ProbeFailed, requests.RequestException, AttributeError, KeyError) as exc:
        failed = exc
    finally:
        try:
            stop(run)
        except ProbeFailed as exc:
            failed = failed or exc
    if failed is not None:
        print(f"probe FAILED: {failed}\n--- last lines of make run:", file=sys.stderr)
        print("\n".join(log_path.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
