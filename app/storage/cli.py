"""`flask photos move --from A --to B`: copy the photos from one store to another (app/storage/move.py)."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.config import ConfigError
from app.storage import STORES, StorageError
from app.storage.move import describe, move_photos, open_store

photos_cli = AppGroup("photos", help="Manage the photo store.")


@photos_cli.command("move")
@click.option("--from", "source_name", type=click.Choice(STORES), required=True, help="The store to copy from.")
@click.option("--to", "target_name", type=click.Choice(STORES), required=True, help="The store to copy into.")
@click.option("--folder", default=None, help="The folder of the folder store (default: UPLOAD_FOLDER).")
@click.option("--verbose", is_flag=True, help="Print each photo's key.")
def move_command(source_name: str, target_name: str, folder: str | None, verbose: bool) -> None:
    """Copy every photo of one store into another, keys kept, one photo at a time. Safe to run again (photos
    already there are skipped) and to stop half way. The source is never changed."""
    if source_name == target_name:
        raise click.ClickException(f"--from and --to are both {source_name}: name two different stores")
    try:
        source = open_store(source_name, current_app.config, folder)
        target = open_store(target_name, current_app.config, folder)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    moved = skipped = 0
    try:
        for key, copied in move_photos(source, target):
            moved, skipped = moved + copied, skipped + (not copied)
            if verbose:
                click.echo(f"{'moved' if copied else 'already there'}: {key}")
    except StorageError as exc:
        raise click.ClickException(f"stopped after {moved} moved and {skipped} already there: {exc}; run the "
                                   "same command again to finish") from None
    click.echo(f"photos: {moved} moved from {describe(source)} to {describe(target)}, {skipped} already there")
