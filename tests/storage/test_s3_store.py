"""The S3 photo store (PHOTO_STORE=s3) against a real S3-compatible server (SeaweedFS, tests/storage/conftest.py):
objects written whole and streamed back, two hosts sharing one bucket, photos not moved yet served from the folder,
a store that cannot work stopping the start with the setting named, and a failed write failing the report
cleanly. The moves between stores: tests/storage/test_move.py."""
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models.issues import Issue
from app.models.photos import CHUNK_BYTES
from app.photos import PHOTOS_NOT_SAVED
from app.storage import LocalFolderStorage, StorageError, get_storage
from app.storage.s3 import S3Storage
from tests.conftest import PASSWORD, empty_tables, settings_for
from tests.fixtures.s3 import s3_settings
from tests.fixtures.servers import free_port
from tests.issues.conftest import photo_file, report_data
from tests.storage.conftest import files_under, report_one_photo


@pytest.fixture
def app(database_url, _schema, tmp_path, s3_server, s3_bucket, request):
    """The test app with its photos in a fresh bucket of the real S3 server (overrides in request.param)."""
    overrides = getattr(request, "param", None) or {}
    app = create_app({**settings_for(database_url, tmp_path), **s3_settings(s3_server.endpoint, s3_bucket),
                      **overrides})
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


def objects(s3_server, bucket: str) -> dict[str, int]:
    return {o["Key"]: o["Size"] for o in s3_server.client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_a_photo_is_one_object_streamed_back_in_chunks(app, s3_server, s3_bucket):
    data = os.urandom(2 * CHUNK_BYTES + 1000)
    with app.app_context():
        store = get_storage()
        assert isinstance(store, S3Storage)
        key = store.save(data, ".JPG")
        assert key.endswith(".jpg") and objects(s3_server, s3_bucket) == {key: len(data)}
        stream = get_storage().stream(key)
        chunks = list(stream.chunks)
        assert stream.size == len(data) and max(len(c) for c in chunks) <= CHUNK_BYTES
        assert b"".join(chunks) == data == get_storage().open(key)
        get_storage().delete(key)
        get_storage().delete(key)  # quiet when already gone
        for missing in (key, "../../etc/passwd", "0" * 32 + ".jpg"):
            with pytest.raises(FileNotFoundError):
                get_storage().open(missing)
            with pytest.raises(FileNotFoundError):
                get_storage().stream(missing)
    assert objects(s3_server, s3_bucket) == {}
    assert files_under(Path(app.config["UPLOAD_FOLDER"])) == []


def test_a_reported_photo_lives_in_the_bucket_and_another_host_serves_it(app, client, login, student, s3_server,
                                                                       s3_bucket, database_url, tmp_path):
    login(student)
    photo, url = report_one_photo(app, client)
    assert objects(s3_server, s3_bucket) == {photo.key: photo.size}
    assert files_under(Path(app.config["UPLOAD_FOLDER"])) == []  # nothing on this host's disk
    # a second host: its own folder, the same database and bucket
    other = create_app({**settings_for(database_url, tmp_path / "host-b"), **s3_settings(s3_server.endpoint,
                                                                                          s3_bucket)})
    other_client = other.test_client()
    other_client.post("/login", data={"email": student.email, "password": PASSWORD})
    served = other_client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Content-Length"] == str(photo.size) and served.data[:2] == b"\xff\xd8"
    with other.app_context():
        db.engine.dispose()


def test_folder_photos_are_served_until_moved(app):
    key = LocalFolderStorage(app.config["UPLOAD_FOLDER"]).save(b"old photo", ".png")
    with app.app_context():
        assert get_storage().open(key) == b"old photo"  # from the folder: not in the bucket yet


def test_a_store_that_cannot_work_stops_the_start_naming_the_setting(s3_server, s3_bucket, tmp_path, database_url):
    base = settings_for(database_url, tmp_path)
    with pytest.raises(ConfigError, match="PHOTO_STORE=s3 but S3_BUCKET is not set"):
        create_app({**base, **s3_settings(s3_server.endpoint, s3_bucket, S3_BUCKET=None)})
    with pytest.raises(ConfigError, match="S3_BUCKET='no-such-bucket' does not exist at http://127.0.0.1"):
        create_app({**base, **s3_settings(s3_server.endpoint, "no-such-bucket")})
    with pytest.raises(ConfigError, match="refused access .*check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"):
        create_app({**base, **s3_settings(s3_server.endpoint, s3_bucket, S3_SECRET_ACCESS_KEY="wrong")})


def test_a_store_that_is_away_fails_the_report_cleanly(s3_bucket, tmp_path, database_url, make_user, make_house):
    """The object store does not answer (an outage, so the app starts): the report form comes back with the
    text kept and says the photos could not be saved; nothing of the report is stored."""
    from app.models import Role

    away = create_app({**settings_for(database_url, tmp_path),
                       **s3_settings(f"http://127.0.0.1:{free_port()}", s3_bucket)})
    try:
        with away.app_context():
            with pytest.raises(StorageError, match="could not be written to the object store"):
                get_storage().save(b"x", ".jpg")
        house = make_house()
        student = make_user(Role.STUDENT, house=house)
        client = away.test_client()
        client.post("/login", data={"email": student.email, "password": PASSWORD})
        response = client.post("/issues/new", data={**report_data(title="Geyser leaks"), "photos": [photo_file()]},
                               content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and "Your photos could not be saved" in page
        assert PHOTOS_NOT_SAVED.split(" (")[0] in page and 'value="Geyser leaks"' in page
        with away.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Issue)) == 0
        assert files_under(Path(away.config["UPLOAD_FOLDER"])) == []
    finally:
        with away.app_context():
            db.session.remove()
            empty_tables(db.engine)
            db.engine.dispose()
