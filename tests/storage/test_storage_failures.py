"""A photo that cannot be written (a full disk, a real 64 KB tmpfs) fails the report and the move-in form
cleanly: the form comes back with the text kept and a message, nothing of it is stored, no temporary file."""
import io

import sqlalchemy as sa

from app.extensions import db
from app.models.issues import Issue, IssuePhoto
from app.models.move_in import MoveInForm, MoveInPhoto
from app.photos import PHOTOS_NOT_SAVED
from tests.issues.conftest import photo_file, report_data
from tests.issues.images import image_bytes
from tests.move_in.conftest import complete_form
from tests.storage.conftest import files_under

NOT_SAVED = "Your photos could not be saved"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_full_disk_fails_the_report_with_its_text_kept(app, client, login, student, full_disk):
    app.config["UPLOAD_FOLDER"] = str(full_disk)
    login(student)
    data = report_data(title="Geyser burst in room 101", description="Water everywhere on the floor.")
    response = client.post("/issues/new", data={**data, "photos": [photo_file()]},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert NOT_SAVED in page and "send it without photos" in PHOTOS_NOT_SAVED
    assert "Geyser burst in room 101" in page and "Water everywhere on the floor." in page
    assert count(app, Issue) == 0 and count(app, IssuePhoto) == 0
    assert files_under(full_disk) == ["filler"]  # no .part left behind

    again = client.post("/issues/new", data=data)  # sent again without photos
    assert again.status_code == 302 and count(app, Issue) == 1


def test_a_full_disk_fails_the_move_in_form_with_its_answers_kept(app, client, login, student, full_disk):
    app.config["UPLOAD_FOLDER"] = str(full_disk)
    login(student)
    data = complete_form(action="draft", condition_0="damaged", comment_0="Deep scratch on the door")
    response = client.post("/move-in/", data={**data, "photos_0": (io.BytesIO(image_bytes("PNG")), "door.png")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert NOT_SAVED in page and "Deep scratch on the door" in page
    assert count(app, MoveInForm) == 0 and count(app, MoveInPhoto) == 0
    assert files_under(full_disk) == ["filler"]
