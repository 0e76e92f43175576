"""`soe` command line: thin wrappers that parse arguments, call the core and print."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from soe_desktop import __version__
from soe_desktop.core.settings import ENV_DB, load_settings
from soe_desktop.logs import route_logs_to_file


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar=ENV_DB,
              help=f"SQLite database to use (default: the app's data folder; env {ENV_DB}).")
@click.version_option(__version__, prog_name="soe")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Find Schedule of Events tables in clinical trial protocols."""
    settings = load_settings()
    route_logs_to_file(settings.data_path)  # library warnings go to the log file, not between our lines
    ctx.obj = replace(settings, db_file=str(db)) if db is not None else settings


def _register() -> None:
    from soe_desktop.cli import audit, batch, cloud, documents, exports, grid, labels_import, library, training

    for module in (documents, batch, cloud, training, audit, library, grid, exports, labels_import):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
