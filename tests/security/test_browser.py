"""In Chromium: a page on another origin cannot frame an admin page; the caught-mail preview still renders in
its sandboxed frame under its own policy."""
import contextlib
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from app.security import add_security_headers
from tests.conftest import PASSWORD
from tests.fixtures.servers import free_port
from tests.security.conftest import CAUGHT_NAME, _caught_email

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def other_origin(html: str):
    """Serve `html` at / from another port (another origin) for as long as the block runs; yields its URL."""
    port = free_port()
    server = make_server("127.0.0.1", port, lambda environ, start: Response(html, mimetype="text/html")(
        environ, start), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def framed_forms(page) -> int:
    frame = page.frames[1]
    try:
        return frame.locator("select[name=status]").count()
    except Exception:  # the browser's own error page for a refused frame cannot be read
        return 0


def test_another_origin_cannot_frame_an_admin_page(live_server, page, student, admin, make_issue, csp_reports):
    issue_id = make_issue(student, title="Framed?")
    target = f"{live_server.url}/admin/issues/{issue_id}"
    log_in(page, live_server.url, admin.email)
    html = f'<!doctype html><title>Win a prize</title><iframe src="{target}" width="800" height="600"></iframe>'
    with other_origin(html) as evil:
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
            page.goto(evil)
        assert framed_forms(page) == 0
        assert any("frame-ancestors 'none'" in report and live_server.url in report for report in csp_reports)
        csp_reports.clear()

        # The control: without the headers the same page shows the admin's form inside the frame.
        live_server.app.after_request_funcs[None].remove(add_security_headers)
        try:
            page.goto(evil)
            page.frames[1].locator("select[name=status]").wait_for()
            assert framed_forms(page) == 1
        finally:
            live_server.app.after_request_funcs[None].append(add_security_headers)


def test_the_caught_mail_preview_renders_in_its_sandboxed_frame(live_server, page, developer, tmp_path):
    """The email's inline styles and its logo show; no script may run there; nothing breaks the policy."""
    live_server.app.config.update(MAIL_SHOW_CAUGHT=True, MAIL_CATCHER_DIR=str(tmp_path / "caught"))
    with live_server.app.test_request_context():
        _caught_email(tmp_path / "caught")
    log_in(page, live_server.url, developer.email)
    page.goto(f"{live_server.url}/dev/mail/caught/{CAUGHT_NAME}")
    frame = page.frame_locator("iframe.mail-html")
    frame.get_by_text("Set my password").wait_for()
    button = frame.get_by_role("link", name="Set my password")
    assert button.evaluate("a => getComputedStyle(a).backgroundColor") == "rgb(11, 95, 255)"  # inline style applied
    logo = frame.get_by_role("img", name="RINAIBRA")
    logo.wait_for()
    page.wait_for_function("() => { const f = document.querySelector('iframe.mail-html').contentDocument;"
                           " const img = f && f.querySelector('img'); return img && img.complete; }")
    assert logo.evaluate("img => img.naturalWidth") > 0
    assert page.locator("#text-part").inner_text().strip()
