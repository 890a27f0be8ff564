"""`flask photos move-to-database` / `move-to-s3`: copy the local folder's photos into the shared store."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.storage import LocalFolderStorage, get_storage
from app.storage_setup import missing_tables, move_to_database, move_to_s3

photos_cli = AppGroup("photos", help="Manage the photo store.")


@photos_cli.command("move-to-database")
@click.option("--folder", default=None, help="The folder to read (default: UPLOAD_FOLDER).")
@click.option("--verbose", is_flag=True, help="Print each photo's key.")
def move_to_database_command(folder: str | None, verbose: bool) -> None:
    """Copy every photo of the upload folder into the database store (PHOTO_STORE=database), one commit per
    photo. Safe to run again (copied photos are skipped) and to stop half way. Files are kept."""
    missing = missing_tables()
    if missing:
        raise click.ClickException(f"the table {missing[0]} is missing: run `flask db upgrade` first")
    moved, skipped = move_to_database(_folder(folder), _progress(verbose))
    click.echo(f"photos: {moved} moved to the database, {skipped} already there")


@photos_cli.command("move-to-s3")
@click.option("--folder", default=None, help="The folder to read (default: UPLOAD_FOLDER).")
@click.option("--verbose", is_flag=True, help="Print each photo's key.")
def move_to_s3_command(folder: str | None, verbose: bool) -> None:
    """Copy every photo of the upload folder into the S3 bucket (PHOTO_STORE=s3, S3_BUCKET), one PUT per photo.
    Safe to run again (photos already there are skipped) and to stop half way. Files are kept."""
    if current_app.config["PHOTO_STORE"] != "s3":
        raise click.ClickException("set PHOTO_STORE=s3 and the S3_* settings first")
    moved, skipped = move_to_s3(_folder(folder), get_storage(), _progress(verbose))
    click.echo(f"photos: {moved} moved to S3 bucket {current_app.config['S3_BUCKET']}, {skipped} already there")


def _folder(path: str | None) -> LocalFolderStorage:
    return LocalFolderStorage(path or current_app.config["UPLOAD_FOLDER"])


def _progress(verbose: bool):
    def progress(key: str, moved: bool) -> None:
        if verbose:
            click.echo(f"{'moved' if moved else 'already there'}: {key}")

    return progress
