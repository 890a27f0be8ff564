"""Lighthouse (mobile, its default simulated throttling) on the student home, the report form and the admin queue:
accessibility and best practices 100, performance at least 95 (issue 25's checks).

Needs the npm package `lighthouse` (not a Python dependency): `npm install lighthouse@12` somewhere and point
LIGHTHOUSE at its `node_modules/.bin/lighthouse`; skipped without it. Debian's chromium is used (CHROME_PATH).
The pages are served by the test's threaded server (no gzip, no caching proxy), logged in by a real browser whose
session cookie Lighthouse sends. Scores are printed (pytest -s) and written to LIGHTHOUSE_REPORTS when set.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_move_in_journey import log_in
from tests.fixtures.servers import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser
LIGHTHOUSE = os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse")
CATEGORIES = ("performance", "accessibility", "best-practices")
FLOOR = {"performance": 95, "accessibility": 100, "best-practices": 100}


def lighthouse(url: str, cookie: str, out: Path) -> dict[str, int]:
    """Scores (0-100) of one mobile run, the failing audits' ids kept in out/*.json."""
    report = out / (url.rsplit("/", 1)[-1] or "home")
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    result = subprocess.run(
        [LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}.json",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}",
         f"--extra-headers={json.dumps({'Cookie': cookie})}"],
        env={**os.environ, "CHROME_PATH": chromium_path()}, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(Path(f"{report}.json").read_text())
    scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = sorted(audit_id for audit_id, audit in data["audits"].items()
                     if audit.get("score") is not None and audit["score"] < 0.9
                     and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    print(f"lighthouse {url}: {scores}; audits under 0.9: {failing}")
    return scores


def session_cookie(page) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())


@pytest.mark.skipif(not LIGHTHOUSE, reason="needs the npm package lighthouse: set LIGHTHOUSE")
def test_lighthouse_mobile_scores(live_server, page, browser, student, admin, make_issue, tmp_path):
    for n in range(6):
        make_issue(student, title=f"Issue number {n}", urgency="urgent" if n == 2 else "normal")
    out = Path(os.environ.get("LIGHTHOUSE_REPORTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, student.email, "/")
    page.wait_for_url(lambda url: "/login" not in url)
    student_cookie = session_cookie(page)
    admin_page = browser.new_context().new_page()
    log_in(admin_page, live_server.url, admin.email, "/admin/")
    admin_page.wait_for_url(lambda url: "/login" not in url)
    scores = {"/": lighthouse(f"{live_server.url}/", student_cookie, out),
              "/issues/new": lighthouse(f"{live_server.url}/issues/new", student_cookie, out),
              "/admin/": lighthouse(f"{live_server.url}/admin/", session_cookie(admin_page), out)}
    admin_page.context.close()
    low = {path: {name: score for name, score in got.items() if score < FLOOR[name]} for path, got in scores.items()}
    assert not any(low.values()), (low, scores)
