"""`soe backup PATH` and `soe restore PATH`: the library (database plus a manifest of model adapters)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from soe_desktop.cli.documents import fail
from soe_desktop.core.errors import SoeError
from soe_desktop.core.settings import Settings

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("path", type=FILE)
@click.option("--with-models", is_flag=True, help="Also copy each model version's adapter folder to PATH.models/.")
@click.pass_obj
def backup_command(settings: Settings, path: Path, with_models: bool) -> None:
    """Back up the library to PATH (safe while the app is running); PATH.manifest.json lists the adapters."""
    from soe_desktop.core.store.backup import backup_library, manifest_path

    try:
        manifest = backup_library(settings.db_path, path, models_dir=settings.models_dir, copy_models=with_models)
    except (SoeError, OSError, sqlite3.Error) as error:
        fail(str(error))
    counts = ", ".join(f"{count} {table}" for table, count in manifest["counts"].items())
    click.echo(f"{path}: {counts}; {len(manifest['models'])} model version(s) listed in {manifest_path(path).name}")


@click.command("restore")
@click.argument("path", type=FILE)
@click.option("--force", is_flag=True, help="Overwrite the library even if it is newer than the backup.")
@click.pass_obj
def restore_command(settings: Settings, path: Path, force: bool) -> None:
    """Replace the library with the backup at PATH (the current one is kept beside it first)."""
    from soe_desktop.core.store.backup import restore_library

    try:
        summary = restore_library(path, settings.db_path, force=force, models_dir=settings.models_dir)
    except (SoeError, OSError, sqlite3.Error) as error:
        fail(str(error))
    kept = f"; the previous library was saved as {summary['previous_saved_as']}" if summary["previous_saved_as"] else ""
    models = f"; model folders restored: {', '.join(summary['models_restored'])}" if summary["models_restored"] else ""
    click.echo(f"restored {summary['restored']} from {path} (last change {summary['newest_event'] or 'none'}){kept}{models}")


COMMANDS = [backup_command, restore_command]
