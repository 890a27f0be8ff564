"""Issue jobs for cron (or a systemd timer): `flask --app wsgi issues send-digests` once a day,
`flask --app wsgi issues overdue` every few minutes; `flask --app wsgi issues rebuild-weeks` by hand."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.issues import targets, weekly
from app.issues.notify import overdue, send_digests

issues_cli = AppGroup("issues", help="Issue emails run from cron.")


@issues_cli.command("send-digests")
def send_digests_command() -> None:
    """Queue the daily digest of new issues for each admin who chose it."""
    with current_app.test_request_context():  # url_for needs one; links are made absolute with BASE_URL
        count = send_digests()
    db.session.commit()
    click.echo(f"{count} digest(s) queued.")


@issues_cli.command("overdue")
def overdue_command() -> None:
    """Tell house admins, in one email each, about issues that passed a response target since the last run."""
    with current_app.test_request_context():
        filled = targets.fill_missing()
        count = overdue()
    db.session.commit()
    click.echo(f"{count} issue(s) passed a target" + (f"; {filled} older issue(s) given targets." if filled else "."))


@issues_cli.command("rebuild-weeks")
def rebuild_weeks_command() -> None:
    """Recompute the weekly figures of /admin/metrics from the issues (after bulk changes made outside the app)."""
    count = weekly.rebuild()
    db.session.commit()
    click.echo(f"{count} week row(s) rebuilt.")
