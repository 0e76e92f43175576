"""`soe import-labels PATH`: page labels kept elsewhere become human labels (see core/app/import_labels.py)."""

from __future__ import annotations

from pathlib import Path

import click

from soe_desktop.cli.documents import fail, open_store
from soe_desktop.cli.progress import ProgressBar
from soe_desktop.core.errors import SoeError
from soe_desktop.core.settings import Settings


@click.command("import-labels")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--undo", "undo", is_flag=True, help="Retract the labels of the latest import instead (or of --run).")
@click.option("--run", "run_id", default=None, metavar="ID", help="With --undo: the import run to undo.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
def import_labels_command(settings: Settings, path: Path | None, undo: bool, run_id: str | None, quiet: bool) -> None:
    """Import page labels from a corpus folder (<name>/protocol.pdf + labels.json), a CSV
    (file or sha256, page, is_soe) or JSON Lines, as your human labels. Documents of a corpus
    folder the library lacks are ingested first; re-importing a file writes nothing new."""
    from soe_desktop.core.app.import_labels import import_labels, undo_import

    if not undo and path is None:
        fail("give the PATH to import (a corpus folder, a .csv or a .jsonl), or --undo")
    store = open_store(settings)
    try:
        if undo:
            done = undo_import(store, run_id)
            click.echo(f"import {done.run_id} of {done.source} undone: {done.retracted} labels retracted, "
                       f"{done.hidden} manual candidates hidden")
            return
        with ProgressBar(not quiet, path.name) as bar:
            result = import_labels(path, settings, store, progress=bar)
    except SoeError as error:
        fail(str(error))
    finally:
        store.close()
    for line in result.unknown + result.problems:
        click.echo(f"note: {line}", err=True)
    click.echo(f"{path.name}: {result.summary()} (run {result.run_id}; undo with soe import-labels --undo)")


COMMANDS = [import_labels_command]
