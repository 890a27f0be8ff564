"""Two hosts, one database, photos in an S3-compatible store (PHOTO_STORE=s3 against the real SeaweedFS server
of tests/fixtures/s3.py): a photo reported through one gunicorn host is served by the other, both ways, and is
in the bucket, on neither host's disk."""
import sqlalchemy as sa

from app.extensions import db
from app.models.issues import IssuePhoto
from tests.fixtures.s3 import s3_settings
from tests.hosts.test_two_hosts import Browser, Host, report_with_photo
from tests.issues.images import image_bytes


def test_two_hosts_share_photos_through_the_bucket(app, student, admin, smtp_server, s3_server, s3_bucket,
                                                   database_url, tmp_path):
    settings = {key: str(value) for key, value in s3_settings(s3_server.endpoint, s3_bucket).items()}
    hosts = [Host("host-a", "127.0.0.2", database_url, smtp_server.config(), tmp_path, settings),
             Host("host-b", "127.0.0.3", database_url, smtp_server.config(), tmp_path, settings)]
    try:
        for host in hosts:
            host.wait_until_up()
        for n, (upload, view) in enumerate((hosts, hosts[::-1])):
            photo = image_bytes("JPEG", size=(900, 700), color=(20 + 100 * n, 90, 200))
            issue_id = report_with_photo(Browser(upload, student.email), f"Leaking basin {n}", photo)
            with app.app_context():
                stored = db.session.scalars(sa.select(IssuePhoto).where(IssuePhoto.issue_id == issue_id)).one()
                url, key, size = f"/issues/{issue_id}/photos/{stored.id}", stored.key, stored.size
            assert s3_server.client.head_object(Bucket=s3_bucket, Key=key)["ContentLength"] == size
            for who in (student.email, admin.email):
                served = Browser(view, who).get(url)
                assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
                assert len(served.content) == size == int(served.headers["Content-Length"])
        assert hosts[0].uploads() == [] and hosts[1].uploads() == []
    finally:
        for host in hosts:
            host.stop()
