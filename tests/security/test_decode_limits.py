"""Decoding photos is bounded (issue 21 item 8, issue 24): a 67 KB PNG of 4,800 x 4,800 pixels is ~90 MB of pixels
in Pillow and about a second of CPU. A request may decode at most UPLOAD_MAX_REQUEST_PIXELS in all (a JPEG counts
at the reduced scale it is decoded at), and a process decodes at most UPLOAD_DECODE_SLOTS images at once: parallel
reports wait for a slot, and after DECODE_WAIT_SECONDS the form comes back with its text, nothing stored."""
import html
import io
import threading
import time

import pytest
from PIL import Image

from app import photos
from app.models.issues import Issue
from tests.conftest import PASSWORD
from tests.issues.conftest import report_data
from tests.security.test_uploads import count, stored_files

LARGE = 4800  # 23 megapixels: below the per-image cap of 24


def image(size: tuple[int, int], fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(out, fmt)
    return out.getvalue()


@pytest.fixture(scope="module")
def large_png() -> bytes:
    return image((LARGE, LARGE), "PNG")


def post_report(client, files: list[tuple[bytes, str]], title: str = "Tap drips, kept"):
    data = report_data(title=title, description="Typed text stays.")
    data["photos"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/issues/new", data=data, content_type="multipart/form-data")


@pytest.fixture
def in_flight(monkeypatch) -> dict:
    """The most image decodes running at once in this process (each held open for 50 ms longer), and how many
    images were decoded in all (a plain PNG is decoded a strip at a time: one image all the same)."""
    seen = {"now": 0, "most": 0, "all": 0}
    lock, decode = threading.Lock(), photos._pixels_only

    def counted(upload):
        with lock:
            seen["now"] += 1
            seen["all"] += 1
            seen["most"] = max(seen["most"], seen["now"])
        try:
            time.sleep(0.05)
            return decode(upload)
        finally:
            with lock:
                seen["now"] -= 1

    monkeypatch.setattr(photos, "_pixels_only", counted)
    return seen


def test_three_large_pngs_are_past_the_request_decode_budget(app, login, student, large_png, in_flight):
    assert len(large_png) < 100_000 and LARGE * LARGE < app.config["UPLOAD_MAX_PIXELS"]
    response = post_report(login(student), [(large_png, f"big{k}.png") for k in range(3)])
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Together these photos have too many pixels (69.1 megapixels; at most 40 at once)" in page
    assert "Tap drips, kept" in page and "Typed text stays." in page
    assert in_flight["all"] == 0 and count(app, Issue) == 0 and stored_files(app) == []


def test_large_jpegs_count_at_the_scale_they_are_decoded_at(app, login, student, in_flight):
    """Three 5,200 x 3,900 JPEGs (61 megapixels in their headers) decode at half size: 15 megapixels, accepted."""
    jpeg = image((5200, 3900), "JPEG")
    response = post_report(login(student), [(jpeg, f"p{k}.jpg") for k in range(3)])
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))
    assert count(app, Issue) == 1 and in_flight["all"] == 3


@pytest.mark.parametrize("size, fmt", [((5200, 3900), "JPEG"), ((5000, 3750), "JPEG"), ((4032, 3024), "JPEG"),
                                       ((6000, 800), "JPEG"), ((20000, 1000), "JPEG"), ((1200, 900), "JPEG"),
                                       ((3000, 2000), "PNG")])
def test_the_budget_counts_what_pillow_decodes(size, fmt):
    upload = photos.Upload(io.BytesIO(image(size, fmt)), fmt, *size, "p", "p")
    decoded = photos._decode(upload)
    decoded.load()
    assert upload.decoded_pixels == decoded.width * decoded.height


def parallel_reports(app, student, files, reports: int) -> list[int]:
    """`reports` reports posted at once, each from its own logged-in client; their status codes."""
    clients = []
    for _ in range(reports):
        client = app.test_client()
        assert client.post("/login", data={"email": student.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    statuses, start = [], threading.Barrier(reports)

    def one(client, k):
        start.wait()
        statuses.append(post_report(client, files, title=f"Report {k}").status_code)

    threads = [threading.Thread(target=one, args=(client, k)) for k, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


PARALLEL = {"ISSUE_REPORTS_PER_HOUR": 1000, "ISSUE_REPORTS_PER_DAY": 1000}


@pytest.mark.parametrize("app", [PARALLEL], indirect=True)
def test_parallel_reports_decode_one_image_at_a_time_by_default(app, student, in_flight):
    assert app.config["UPLOAD_DECODE_SLOTS"] == 1
    statuses = parallel_reports(app, student, [(image((800, 600), "PNG"), "a.png"), (image((600, 800), "JPEG"),
                                                                                      "b.jpg")], reports=6)
    assert statuses == [302] * 6
    assert in_flight["all"] == 12 and in_flight["most"] == 1
    assert count(app, Issue) == 6


@pytest.mark.parametrize("app", [{**PARALLEL, "UPLOAD_DECODE_SLOTS": 3}], indirect=True)
def test_the_slots_are_a_setting(app, student, in_flight):
    statuses = parallel_reports(app, student, [(image((800, 600), "PNG"), "a.png")], reports=6)
    assert statuses == [302] * 6
    assert 1 <= in_flight["most"] <= 3 and in_flight["all"] == 6


def test_no_free_slot_in_time_gives_the_form_back_with_its_text(app, login, student, monkeypatch):
    monkeypatch.setattr(photos, "DECODE_WAIT_SECONDS", 0.2)
    client = login(student)
    with app.app_context(), photos._decode_slot():  # another request holds the process's only slot
        response = post_report(client, [(image((800, 600), "PNG"), "a.png")])
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and photos.BUSY in page
    assert "Tap drips, kept" in page and "Typed text stays." in page
    assert count(app, Issue) == 0 and stored_files(app) == []
    assert post_report(client, [(image((800, 600), "PNG"), "a.png")]).status_code == 302  # the slot is back


@pytest.mark.parametrize("slots", [0])
def test_no_slots_is_a_start_up_error(database_url, tmp_path, slots):
    from app import create_app
    from app.config import ConfigError
    from tests.conftest import settings_for

    with pytest.raises(ConfigError, match="UPLOAD_DECODE_SLOTS must be at least 1"):
        create_app({**settings_for(database_url, tmp_path), "UPLOAD_DECODE_SLOTS": slots})
