"""A real small disk for the upload folder: a 64 KB tmpfs (mounted by the test where the machine allows it)."""
import os
import subprocess
from types import SimpleNamespace

import pytest
import sqlalchemy as sa


def mount_tmpfs(path, *options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=64k", *options)), "tmpfs", str(path)],
                            capture_output=True)
    return result.returncode == 0


def unmount(path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True)


@pytest.fixture
def full_disk(tmp_path):
    """A folder on a 64 KB tmpfs filled to the last byte: every photo write fails with ENOSPC."""
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk):
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        with (disk / "filler").open("wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:
                pass
        yield disk
    finally:
        unmount(disk)


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder no photo can be written to: a read-only tmpfs, or (not root) a folder without write permission."""
    folder = tmp_path / "read-only"
    if mount_tmpfs(folder, "ro"):
        try:
            yield folder
        finally:
            unmount(folder)
        return
    if os.geteuid() == 0:
        pytest.skip("running as root without mount: no folder is read-only")
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def report_one_photo(app, client) -> tuple[SimpleNamespace, str]:
    """Report an issue with one photo through `client` (signed in as a student): the photo's row and its URL."""
    from app.extensions import db
    from app.models.issues import IssuePhoto
    from tests.issues.conftest import photo_file, report_data

    response = client.post("/issues/new", data={**report_data(), "photos": [photo_file()]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        photo = db.session.scalars(sa.select(IssuePhoto)).one()
        row = SimpleNamespace(key=photo.key, size=photo.size)
        return row, f"/issues/{photo.issue_id}/photos/{photo.id}"
