"""`soe export`: labels or SoE page lists of one document or all, to CSV, JSON Lines or XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from soe_desktop.cli.audit import resolve_document
from soe_desktop.cli.documents import fail, open_store
from soe_desktop.core.errors import SoeError
from soe_desktop.core.settings import Settings


class RegistryChoice(click.Choice):
    """A choice read from a registry when the option is first used, not when `soe` starts: the
    export registries live beside the grid and store code, which take most of a second to import."""

    def __init__(self, names) -> None:
        self._names = names
        self.case_sensitive = True

    @property
    def choices(self):
        return self._names()


def _format_names() -> list[str]:
    from soe_desktop.core.grid.export import GRID_EXPORTS
    from soe_desktop.core.store.exports import format_names

    return sorted({*format_names(), *GRID_EXPORTS})


def _what_names() -> list[str]:
    from soe_desktop.core.app.export import WHAT_CHOICES

    return list(WHAT_CHOICES)


@click.command("export")
@click.option("--format", "fmt", type=RegistryChoice(_format_names), default=None,
              help="File format (default: from the --out file's suffix, else csv).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (replaced atomically).")
@click.option("--document", metavar="FILE_OR_SHA256", default=None,
              help="Only this document (a PDF, its sha256 or its stored name); default: all.")
@click.option("--what", type=RegistryChoice(_what_names), default="labels", show_default=True,
              help="labels: the label that counts per candidate; label-history: every label; "
                   "soe-pages: one row per document with its SoE pages; grids: the SoE grids of one "
                   "--document (csv, xlsx, usdm or json), with the edits made in the app.")
@click.pass_obj
def export_command(settings: Settings, fmt: str | None, out_path: Path, document: str | None, what: str) -> None:
    """Export the library's labels (document, page, bbox, detector, label, confidence, source, reviewer, time)."""
    from soe_desktop.core.app.export import export

    store = open_store(settings)
    try:
        sha256 = resolve_document(store, document) if document else None
        if sha256 is not None and store.document(sha256) is None:
            fail(f"{document}: not in the library (ingest it first)")
        result = export(store, out_path, what=what, fmt=fmt, sha256=sha256)
    except (OSError, ValueError) as error:
        fail(f"cannot write {out_path}: {error}")
    except SoeError as error:
        fail(str(error))
    finally:
        store.close()
    click.echo(f"{result.rows} rows ({result.what}) written to {result.path} as {result.format}")


COMMANDS = [export_command]
