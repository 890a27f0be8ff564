"""Upload caps: a pixel bomb or a flood of photos is refused from the image headers, in milliseconds, before any
pixel is decoded; the form comes back with its text and nothing is stored."""
import html
import io
import time

import pytest
import sqlalchemy as sa
from PIL import Image, ImageFile

from app.extensions import db
from app.models.issues import Issue
from app.models.move_in import MoveInForm, MoveInPhoto
from app.move_in.checklist import DEFAULT_CHECKLIST
from tests.issues.conftest import report_data

BOMB_SIDE = 6300  # 39.7 megapixels: the issue's pixel bomb, a few kilobytes as a PNG
FAST = 2.0  # seconds; a generous bound (refusals take milliseconds; one bomb took ~1 s to decode)


def png(size, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = png((BOMB_SIDE, BOMB_SIDE), mode="1")
    assert len(data) < 100_000
    return data


@pytest.fixture
def decodes(monkeypatch) -> list:
    """Every image decode during the test (ImageFile.load is where Pillow turns a file into pixels)."""
    calls, load = [], ImageFile.ImageFile.load

    def counted(image):
        calls.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return calls


def stored_files(app) -> list:
    from pathlib import Path

    return [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def timed_post(client, path: str, data: dict):
    """The response and the CPU seconds this thread spent on it (the test client serves in the calling thread; CPU
    time, unlike the wall clock, does not grow when other processes crowd the machine, and a thread's own, unlike
    the process's, leaves out threads that earlier tests' servers left running: 2.59 s once in CI's MariaDB run)."""
    start = time.thread_time()
    response = client.post(path, data=data, content_type="multipart/form-data")
    return response, time.thread_time() - start


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_pillow_refuses_what_is_far_past_the_cap(app):
    assert Image.MAX_IMAGE_PIXELS == app.config["UPLOAD_MAX_PIXELS"] == 24_000_000
    assert BOMB_SIDE * BOMB_SIDE > app.config["UPLOAD_MAX_PIXELS"]


def test_pixel_bomb_on_the_report_form(app, login, student, bomb, decodes):
    data = report_data(title="Bomb title kept", description="The description stays as typed.")
    data["photos"] = [(io.BytesIO(bomb), "bomb.png")]
    response, seconds = timed_post(login(student), "/issues/new", data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (400, 413) and seconds < FAST
    assert '"bomb.png" has too many pixels (39.7 megapixels; at most 24)' in page
    assert "Bomb title kept" in page and "The description stays as typed." in page
    assert decodes == [] and count(app, Issue) == 0 and stored_files(app) == []


def test_pixel_bomb_on_the_move_in_form(app, login, student, bomb, decodes):
    data = {"action": "draft", "condition_0": "damaged", "comment_0": "Door scratched, kept",
            "photos_0": [(io.BytesIO(bomb), "bomb.png")]}
    response, seconds = timed_post(login(student), "/move-in/", data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (400, 413) and seconds < FAST
    assert '"bomb.png" has too many pixels' in page and "Door scratched, kept" in page
    assert decodes == [] and count(app, MoveInForm) == 0 and stored_files(app) == []


def test_the_issues_42_bombs_on_the_move_in_form(app, login, student, bomb, decodes):
    """The attack from issue 11: 42 pixel bombs, three per checklist item, in one small POST."""
    data = {"action": "draft", "comment_1": "Window fine, kept"}
    for i in range(len(DEFAULT_CHECKLIST)):
        data[f"photos_{i}"] = [(io.BytesIO(bomb), f"bomb{i}-{k}.png") for k in range(3)]
    response, seconds = timed_post(login(student), "/move-in/", data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (400, 413) and seconds < FAST
    assert "42 photos were sent at once; at most 10 can be" in page and "Window fine, kept" in page
    assert decodes == [] and count(app, MoveInForm) == 0 and stored_files(app) == []


def test_many_small_photos_on_the_move_in_form(app, login, student, decodes):
    small = png((40, 30))
    data = {"action": "draft", "comment_0": "Kept"}
    for i in range(4):
        data[f"photos_{i}"] = [(io.BytesIO(small), f"p{i}-{k}.png") for k in range(3)]
    response, seconds = timed_post(login(student), "/move-in/", data)
    assert response.status_code in (400, 413) and seconds < FAST
    assert "12 photos were sent at once; at most 10 can be" in html.unescape(response.get_data(as_text=True))
    assert decodes == [] and count(app, MoveInPhoto) == 0 and stored_files(app) == []


def test_many_photos_on_the_report_form(app, login, student, decodes):
    data = report_data()
    data["photos"] = [(io.BytesIO(png((40, 30))), f"p{k}.png") for k in range(40)]
    response, seconds = timed_post(login(student), "/issues/new", data)
    assert response.status_code in (400, 413) and seconds < FAST
    assert "Please attach at most 3 photos." in html.unescape(response.get_data(as_text=True))
    assert decodes == [] and count(app, Issue) == 0


@pytest.mark.parametrize("app", [{"UPLOAD_MAX_REQUEST_PIXELS": 1_000_000}], indirect=True)
def test_total_pixels_per_request(app, login, student, decodes):
    """Each photo is fine on its own; together they are past the request's cap (a setting)."""
    client = login(student)
    data = report_data()
    data["photos"] = [(io.BytesIO(png((600, 600))), f"p{k}.png") for k in range(3)]
    response = client.post("/issues/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Together these photos have too many pixels (1.08 megapixels; at most 1 at once)" in \
        html.unescape(response.get_data(as_text=True))
    items = {"action": "draft", "photos_0": [(io.BytesIO(png((600, 600))), "a.png")],
             "photos_1": [(io.BytesIO(png((600, 600))), "b.png"), (io.BytesIO(png((600, 600))), "c.png")]}
    response = client.post("/move-in/", data=items, content_type="multipart/form-data")
    assert response.status_code == 400 and "Together these photos have too many pixels" in \
        html.unescape(response.get_data(as_text=True))
    assert decodes == [] and count(app, Issue) == 0 and count(app, MoveInPhoto) == 0


@pytest.mark.parametrize("app", [{"UPLOAD_MAX_PIXELS": 2_000_000}], indirect=True)
def test_the_per_image_cap_is_a_setting_and_photos_below_it_pass(app, login, student):
    client = login(student)
    data = report_data()
    data["photos"] = [(io.BytesIO(png((1000, 1000))), "ok.png")]
    assert client.post("/issues/new", data=data, content_type="multipart/form-data").status_code == 302
    data = report_data(title="Too big now")
    data["photos"] = [(io.BytesIO(png((1500, 1500))), "big.png")]
    response = client.post("/issues/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "at most 2)" in html.unescape(response.get_data(as_text=True))
