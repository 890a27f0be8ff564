"""`flask --app wsgi issues send-digests`: run once a day (cron or a systemd timer)."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.issues.notify import send_digests

issues_cli = AppGroup("issues", help="Issue emails run from cron.")


@issues_cli.command("send-digests")
def send_digests_command() -> None:
    """Queue the daily digest of new issues for each admin who chose it."""
    with current_app.test_request_context():  # url_for needs one; links are made absolute with BASE_URL
        count = send_digests()
    db.session.commit()
    click.echo(f"{count} digest(s) queued.")
