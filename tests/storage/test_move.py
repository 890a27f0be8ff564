"""`flask photos move --from A --to B` for every pair of stores (the S3 store against a real SeaweedFS,
tests/fixtures/s3.py; the database store on the test database): each photo copied once with its key, the
source kept, a stopped run finished by the next, and the commands that cannot work refused with a message."""
import os

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models.photos import CHUNK_BYTES, StoredFileChunk
from app.storage import STORES, PhotoStream
from app.storage.move import describe, open_store
from tests.conftest import empty_tables, settings_for
from tests.fixtures.s3 import s3_settings
from tests.storage.conftest import files_under

PAIRS = [(source, target) for source in STORES for target in STORES if source != target]


@pytest.fixture
def move_app(database_url, _schema, tmp_path, request, source, target):
    """An app on the folder store whose S3_* settings name a fresh bucket of the real server when a side is s3."""
    settings = settings_for(database_url, tmp_path)
    if "s3" in (source, target):
        server, bucket = request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket")
        settings |= s3_settings(server.endpoint, bucket, PHOTO_STORE="folder")
    app = create_app(settings)
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()


def seed(app, source: str, target: str, payloads: list[bytes]) -> list[str]:
    """The payloads saved in the source store (beside a file that is no photo); their keys."""
    with app.app_context():
        store = open_store(source, app.config)
        keys = [store.save(data, ".jpg") for data in payloads]
        db.session.commit()
        if source == "folder":
            (store.root / "stray.txt").write_text("not a photo")
        if source == "s3":
            store.client.put_object(Bucket=store.bucket, Key="notes.txt", Body=b"not a photo")
    return keys


def move(app, source: str, target: str, *options: str):
    return app.test_cli_runner().invoke(args=["photos", "move", "--from", source, "--to", target, *options])


def assert_moved(app, source: str, target: str, keys: list[str], payloads: list[bytes]) -> None:
    with app.app_context():
        old, new = open_store(source, app.config), open_store(target, app.config)
        assert sorted(new.keys()) == sorted(keys)
        for key, data in zip(keys, payloads, strict=True):
            assert new.open(key) == data == old.open(key)  # the source is kept


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_each_photo_is_copied_once_with_its_key_and_the_source_is_kept(move_app, source, target):
    payloads = [os.urandom(size) for size in (10, CHUNK_BYTES, CHUNK_BYTES * 2 + 7)]
    keys = seed(move_app, source, target, payloads)
    with move_app.app_context():  # an earlier run that copied the first photo
        open_store(target, move_app.config).put(keys[0], PhotoStream.of(payloads[0]))
        db.session.commit()
        names = describe(open_store(source, move_app.config)), describe(open_store(target, move_app.config))
    result = move(move_app, source, target, "--verbose")
    assert result.exit_code == 0, result.output
    assert f"photos: 2 moved from {names[0]} to {names[1]}, 1 already there" in result.output
    assert f"already there: {keys[0]}" in result.output and f"moved: {keys[1]}" in result.output
    result = move(move_app, source, target)
    assert result.exit_code == 0 and "photos: 0 moved from" in result.output and "3 already there" in result.output
    assert_moved(move_app, source, target, keys, payloads)


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_a_move_stopped_half_way_through_a_photo_keeps_none_of_it_and_the_next_run_finishes(
        move_app, source, target, monkeypatch):
    payloads = [os.urandom(CHUNK_BYTES + size) for size in (1, 2, 3)]
    keys = seed(move_app, source, target, payloads)
    with move_app.app_context():
        source_class = type(open_store(source, move_app.config))
    real_stream, read = source_class.stream, []

    def stream_stopped_in_the_second_photo(store, key):
        photo = real_stream(store, key)
        read.append(key)
        if len(read) != 2:
            return photo

        def chunks():
            yield next(photo.chunks)
            raise KeyboardInterrupt  # Ctrl-C with the second photo half read

        return PhotoStream(photo.size, chunks())

    monkeypatch.setattr(source_class, "stream", stream_stopped_in_the_second_photo)
    stopped = move(move_app, source, target)
    assert stopped.exit_code == 1 and "Aborted" in stopped.output and len(read) == 2
    monkeypatch.undo()
    with move_app.app_context():
        first = read[0]
        assert list(open_store(target, move_app.config).keys()) == [first]
        if target == "database":
            assert set(db.session.scalars(sa.select(StoredFileChunk.key))) == {first}
        if target == "folder":
            assert files_under(open_store("folder", move_app.config).root) == [f"{first[:2]}/{first}"]
    result = move(move_app, source, target)
    assert result.exit_code == 0, result.output
    assert "photos: 2 moved from" in result.output and "1 already there" in result.output
    assert_moved(move_app, source, target, keys, payloads)


@pytest.mark.parametrize(("source", "target"), [("database", "database")])
def test_the_same_store_on_both_sides_is_refused(move_app, source, target):
    result = move(move_app, source, target)
    assert result.exit_code == 1 and "--from and --to are both database: name two different stores" in result.output


def test_a_store_that_cannot_work_is_refused_naming_what_to_set(tmp_path, database_url, _schema, s3_server):
    empty = create_app(settings_for("sqlite:///" + str(tmp_path / "empty.db"), tmp_path))
    result = empty.test_cli_runner().invoke(args=["photos", "move", "--from", "folder", "--to", "database"])
    assert result.exit_code == 1 and "the table stored_files is missing: run `flask db upgrade` first" in result.output
    plain = create_app(settings_for(database_url, tmp_path))
    result = plain.test_cli_runner().invoke(args=["photos", "move", "--from", "database", "--to", "s3"])
    assert result.exit_code == 1 and "the s3 store needs S3_BUCKET" in result.output
    no_bucket = create_app({**settings_for(database_url, tmp_path),
                            **s3_settings(s3_server.endpoint, "no-such-bucket", PHOTO_STORE="folder")})
    result = no_bucket.test_cli_runner().invoke(args=["photos", "move", "--from", "s3", "--to", "folder"])
    assert result.exit_code == 1 and "S3_BUCKET='no-such-bucket' does not exist at" in result.output
    result = plain.test_cli_runner().invoke(args=["photos", "move", "--from", "folder", "--to", "ftp"])
    assert result.exit_code == 2 and "'ftp' is not one of 'folder', 'database', 's3'" in result.output
    for app in (plain, no_bucket):
        with app.app_context():
            db.engine.dispose()
