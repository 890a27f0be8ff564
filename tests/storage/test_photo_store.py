"""The database photo store: chunked rows, streamed out, chosen by PHOTO_STORE;
a store that cannot work stops the start-up with the setting named."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.models.photos import CHUNK_BYTES, StoredFile, StoredFileChunk
from app.storage import DatabaseStorage, LocalFolderStorage, get_storage
from tests.conftest import settings_for
from tests.issues.conftest import photo_file, report_data
from tests.storage.conftest import files_under, report_one_photo

DATABASE_STORE = {"PHOTO_STORE": "database"}
ROOT = Path(__file__).resolve().parents[2]


def chunk_rows(app) -> list[tuple[str, int, int]]:
    with app.app_context():
        return list(db.session.execute(sa.select(StoredFileChunk.key, StoredFileChunk.seq,
                                                 sa.func.length(StoredFileChunk.data))
                                       .order_by(StoredFileChunk.key, StoredFileChunk.seq)))


@pytest.mark.parametrize("app", [DATABASE_STORE], indirect=True)
def test_a_photo_is_kept_in_chunks_and_streamed_back(app):
    data = os.urandom(2 * CHUNK_BYTES + 1000)
    with app.app_context():
        store = get_storage()
        assert isinstance(store, DatabaseStorage)
        key = store.save(data, ".JPG")
        db.session.commit()
    assert [(seq, size) for _key, seq, size in chunk_rows(app)] == [(0, CHUNK_BYTES), (1, CHUNK_BYTES), (2, 1000)]
    with app.app_context():
        stream = get_storage().stream(key)
        chunks = list(stream.chunks)
        assert stream.size == len(data) and [len(c) for c in chunks] == [CHUNK_BYTES, CHUNK_BYTES, 1000]
        assert b"".join(chunks) == data == get_storage().open(key)
        get_storage().delete(key)
        get_storage().delete(key)  # quiet when already gone
        with pytest.raises(FileNotFoundError):
            get_storage().open(key)
        with pytest.raises(FileNotFoundError):
            get_storage().open("../../etc/passwd")
    assert chunk_rows(app) == []


@pytest.mark.parametrize("app", [DATABASE_STORE], indirect=True)
def test_a_reported_photo_lives_in_the_database_and_is_served_from_it(app, client, login, student):
    login(student)
    photo, url = report_one_photo(app, client)
    with app.app_context():
        assert db.session.get(StoredFile, photo.key).size == photo.size
    assert files_under(Path(app.config["UPLOAD_FOLDER"])) == []  # nothing on this host's disk
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Content-Length"] == str(photo.size) and served.data[:2] == b"\xff\xd8"


@pytest.mark.parametrize("app", [DATABASE_STORE], indirect=True)
def test_a_failed_report_leaves_no_photo_rows(app, client, login, student):
    login(student)
    response = client.post("/issues/new", data={**report_data(location="nowhere"), "photos": [photo_file()]},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert chunk_rows(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_database_store_falls_back_to_the_folder_for_photos_not_moved_yet(app):
    key = LocalFolderStorage(app.config["UPLOAD_FOLDER"]).save(b"old photo", ".png")
    app.config["PHOTO_STORE"] = "database"
    with app.app_context():
        assert get_storage().open(key) == b"old photo"


def test_an_unknown_photo_store_is_a_start_up_error(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("PHOTO_STORE", "ftp")
    with pytest.raises(ConfigError, match="PHOTO_STORE='ftp' is not valid: use one of folder, database, s3"):
        create_app(settings_for(database_url, tmp_path))


def test_a_missing_photo_table_is_a_start_up_error_naming_the_setting(tmp_path):
    empty = "sqlite:///" + str(tmp_path / "empty.db")
    with pytest.raises(ConfigError, match="PHOTO_STORE=database but the table stored_files is missing: run "
                                          "`flask db upgrade`"):
        create_app({**settings_for(empty, tmp_path), **DATABASE_STORE})
    create_app(settings_for(empty, tmp_path))  # the folder store needs no table


def test_a_folder_that_cannot_be_written_is_a_start_up_error(tmp_path, read_only_folder, database_url):
    settings = {**settings_for(database_url, tmp_path), "UPLOAD_FOLDER": str(read_only_folder / "uploads")}
    with pytest.raises(ConfigError, match="UPLOAD_FOLDER=.* is not a writable folder"):
        create_app(settings)
    settings["UPLOAD_FOLDER"] = str(read_only_folder)
    with pytest.raises(ConfigError, match="UPLOAD_FOLDER=.* is not a writable folder"):
        create_app(settings)


def test_db_upgrade_creates_the_tables_the_database_store_needs(tmp_path):
    """`flask db upgrade` runs with PHOTO_STORE=database on an empty database (it makes the tables the
    start-up check asks for); after it, the app starts."""
    env = {**os.environ, "DATABASE_URL": "sqlite:///" + str(tmp_path / "fresh.db"), "PHOTO_STORE": "database",
           "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "x", "ALLOWED_EMAIL_DOMAINS": "example.ac.za"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)

    refused = run("-c", "import wsgi")
    assert refused.returncode == 1 and "PHOTO_STORE=database but the table stored_files is missing" in refused.stderr
    upgraded = run("-m", "flask", "--app", "wsgi", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert run("-c", "import wsgi").returncode == 0
