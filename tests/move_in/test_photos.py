"""Checklist photos: checked by content, stored outside static/, shown only to the student and their house admins."""
import io
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.models.move_in import MoveInForm, MoveInPhoto
from tests.move_in.conftest import complete_form


def photo_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(MoveInPhoto.id).order_by(MoveInPhoto.id)))


def upload(client, png_bytes, **fields):
    data = {"action": "draft", "condition_0": "damaged", "comment_0": "Scratched",
            "photos_0": (io.BytesIO(png_bytes), "door.png"), **fields}
    return client.post("/move-in/", data=data, content_type="multipart/form-data")


def test_photo_on_a_draft_and_who_may_see_it(app, client, login, student, admin, make_user, make_house, png_bytes):
    login(student)
    assert upload(client, png_bytes).status_code == 302
    [photo_id] = photo_ids(app)
    page = client.get("/move-in/").get_data(as_text=True)
    assert f'src="/move-in/photos/{photo_id}"' in page
    response = client.get(f"/move-in/photos/{photo_id}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    client.post("/logout")

    neighbour = make_user(Role.STUDENT, house=make_house("baobab"), email="neighbour@example.ac.za")
    assert login(neighbour).get(f"/move-in/photos/{photo_id}").status_code == 404
    client.post("/logout")
    assert login(admin).get(f"/move-in/photos/{photo_id}").status_code == 404  # a draft is private
    client.post("/logout")

    login(student).post("/move-in/", data=complete_form(condition_0="damaged", comment_0="Scratched"))
    client.post("/logout")
    login(admin)
    assert client.get(f"/move-in/photos/{photo_id}").status_code == 200
    assert f"/move-in/photos/{photo_id}" in client.get(f"/admin/move-in/students/{student.id}").get_data(as_text=True)
    client.post("/logout")
    other_admin = make_user(Role.ADMIN, admin_of=[make_house("protea")], email="other-admin@example.ac.za")
    assert login(other_admin).get(f"/move-in/photos/{photo_id}").status_code == 404


def test_a_housemate_with_photos_of_their_own_cannot_open_yours(app, client, login, student, make_user, house,
                                                                png_bytes):
    """A photo id is no key: a student of the same house, with a form and photos of their own, gets 404."""
    upload(login(student), png_bytes)
    [mine] = photo_ids(app)
    client.post("/logout")
    housemate = make_user(Role.STUDENT, house=house, room="102", email="housemate@example.ac.za")
    upload(login(housemate), png_bytes)
    [_, theirs] = photo_ids(app)
    assert client.get(f"/move-in/photos/{theirs}").status_code == 200
    assert client.get(f"/move-in/photos/{mine}").status_code == 404
    client.post("/logout")
    login(student).post("/move-in/", data=complete_form(condition_0="damaged", comment_0="Scratched"))
    client.post("/logout")
    assert login(housemate).get(f"/move-in/photos/{mine}").status_code == 404  # submitted: still not theirs


def test_not_an_image_is_refused_and_nothing_is_stored(app, login, student):
    client = login(student)
    response = client.post("/move-in/", data={"action": "draft", "comment_0": "kept",
                                              "photos_0": (io.BytesIO(b"<?php echo 1; ?>"), "door.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is not a JPEG, PNG or WebP image" in page and "kept" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MoveInForm.id))) == 0


def test_remove_a_photo_and_at_most_three(app, login, student, png_bytes):
    client = login(student)
    upload(client, png_bytes)
    [first] = photo_ids(app)
    response = upload(client, png_bytes, remove_photo=str(first))
    assert response.status_code == 302
    [second] = photo_ids(app)
    assert second != first
    files = [(io.BytesIO(png_bytes), f"p{i}.png") for i in range(4)]
    response = client.post("/move-in/", data={"action": "draft", "photos_1": files},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "at most 3 photos" in response.get_data(as_text=True)
    assert photo_ids(app) == [second]


def test_unknown_photo(login, student):
    assert login(student).get("/move-in/photos/999").status_code == 404
    assert re.search("photo", login(student).get("/move-in/photos/999").get_data(as_text=True), re.I)
