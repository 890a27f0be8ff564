"""`flask photos move-to-database`: copy the local folder's photos into the shared database store."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.storage import LocalFolderStorage
from app.storage_setup import missing_tables, move_to_database

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

    def progress(key: str, moved: bool) -> None:
        if verbose:
            click.echo(f"{'moved' if moved else 'already there'}: {key}")

    moved, skipped = move_to_database(LocalFolderStorage(folder or current_app.config["UPLOAD_FOLDER"]), progress)
    click.echo(f"photos: {moved} moved to the database, {skipped} already there")
