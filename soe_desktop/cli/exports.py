"""`soe export`: labels or SoE page lists of one document or all, to CSV, JSON Lines or XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from soe_desktop.cli.audit import resolve_document
from soe_desktop.cli.documents import fail, open_store
from soe_desktop.core.app.export import WHAT, export
from soe_desktop.core.settings import Settings
from soe_desktop.core.store.exports import format_names


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(format_names()), default=None,
              help="File format (default: from the --out file's suffix, else csv).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (replaced atomically).")
@click.option("--document", metavar="FILE_OR_SHA256", default=None,
              help="Only this document (a PDF, its sha256 or its stored name); default: all.")
@click.option("--what", type=click.Choice(list(WHAT)), default="labels", show_default=True,
              help="labels: the label that counts per candidate; label-history: every label; "
                   "soe-pages: one row per document with its SoE pages.")
@click.pass_obj
def export_command(settings: Settings, fmt: str | None, out_path: Path, document: str | None, what: str) -> None:
    """Export the library's labels (document, page, bbox, detector, label, confidence, source, reviewer, time)."""
    store = open_store(settings)
    try:
        sha256 = resolve_document(store, document) if document else None
        if sha256 is not None and store.document(sha256) is None:
            fail(f"{document}: not in the library (ingest it first)")
        result = export(store, out_path, what=what, fmt=fmt, sha256=sha256)
    except (OSError, ValueError) as error:
        fail(f"cannot write {out_path}: {error}")
    finally:
        store.close()
    click.echo(f"{result.rows} rows ({result.what}) written to {result.path} as {result.format}")


COMMANDS = [export_command]
