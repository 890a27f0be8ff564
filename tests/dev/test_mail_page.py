"""/dev/mail: health figures for developers, and in development the caught messages."""
import pytest

from app.emailer.catcher import list_caught, start_catcher
from app.models.mail import Purpose
from tests.fixtures.servers import free_port
from tests.security.conftest import with_inline_logo


@pytest.fixture
def caught(app, tmp_path, queue, runner):
    """Two emails delivered through a real catcher into tmp_path/caught, shown on /dev/mail."""
    folder = tmp_path / "caught"
    port = free_port()
    catcher = start_catcher(folder, port=port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SHOW_CAUGHT=True, MAIL_CATCHER_DIR=str(folder))
    try:
        queue(1)
        queue(1, purpose=Purpose.ALERT, prefix="dev", logo=False)
        assert runner.invoke(args=["mail", "drain"]).exit_code == 0
    finally:
        catcher.stop()
    return folder


def test_only_developers_see_mail_health(client, login, student, admin):
    assert client.get("/dev/mail").status_code == 302
    login(student)
    assert client.get("/dev/mail").status_code == 403
    client.post("/logout")
    login(admin)
    assert client.get("/dev/mail").status_code == 403


def test_health_figures(app, client, login, developer, queue):
    queue(3, purpose=Purpose.BULK)
    login(developer)
    page = client.get("/dev/mail").get_data(as_text=True)
    assert 'id="budget-used">0<' in page and 'id="budget-left">500<' in page
    assert "<td>3</td>" in page and "nothing queued" not in page
    assert "Caught by the local mail catcher" not in page  # not in development


def test_caught_messages_list_and_view(app, client, login, developer, caught):
    login(developer)
    page = client.get("/dev/mail").get_data(as_text=True)
    assert "Caught by the local mail catcher" in page
    assert page.count("/dev/mail/caught/") == 2
    assert "Last SMTP reply" in page and "250 2.0.0 OK caught as" in page
    name = next(item["name"] for item in list_caught(caught) if item["to"] == "user0@example.ac.za")
    view = client.get(f"/dev/mail/caught/{name}")
    assert view.status_code == 200
    html = view.get_data(as_text=True)
    assert "Set your RINAIBRA password" in html and "http://localhost/password/reset/t0" in html
    assert f'src="/dev/mail/caught/{name}/html"' in html and 'sandbox="allow-same-origin"' in html
    framed = client.get(f"/dev/mail/caught/{name}/html")
    assert framed.status_code == 200 and framed.mimetype == "text/html"
    assert ">RINAIBRA</strong>" in framed.get_data(as_text=True)
    policy = framed.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert client.get("/dev/mail/caught/nope.eml").status_code == 404
    assert client.get(f"/dev/mail/caught/{name}/cid/other").status_code == 404


def test_a_caught_messages_inline_image_is_served_by_cid(app, client, login, developer, caught):
    name = next(item["name"] for item in list_caught(caught) if item["to"] == "user0@example.ac.za")
    path = caught / name
    path.write_bytes(with_inline_logo(path.read_bytes()))
    login(developer)
    framed = client.get(f"/dev/mail/caught/{name}/html")
    assert f"/dev/mail/caught/{name}/cid/logo@rinaibra" in framed.get_data(as_text=True)
    logo = client.get(f"/dev/mail/caught/{name}/cid/logo@rinaibra")
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data[:4] == b"\x89PNG"
    assert client.get(f"/dev/mail/caught/{name}/cid/other").status_code == 404


def test_caught_messages_hidden_outside_development(app, client, login, developer, caught):
    app.config["MAIL_SHOW_CAUGHT"] = False
    login(developer)
    name = next(caught.glob("*.eml")).name
    assert client.get(f"/dev/mail/caught/{name}").status_code == 404
    assert "Caught by the local" not in client.get("/dev/mail").get_data(as_text=True)
