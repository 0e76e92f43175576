"""`soe grid PDF`: the SoE grids of one PDF, as a summary, the JSON contract, CSV, XLSX or USDM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import click

from soe_desktop.cli.documents import LABELER_CHOICES, OCR_OPTION, PDF_PATHS, _make_labeler, fail, library
from soe_desktop.cli.progress import ProgressBar
from soe_desktop.core.errors import SoeError
from soe_desktop.core.settings import Settings

OUT = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("pdf", type=PDF_PATHS)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract (document, grids) on stdout.")
@click.option("--csv", "csv_out", type=OUT, help="Write the grids as CSV (OUT, OUT_2.csv.., OUT_footnotes.csv).")
@click.option("--xlsx", "xlsx_out", type=OUT, help="Write an XLSX workbook: a sheet per grid and a Footnotes sheet.")
@click.option("--usdm", "usdm_out", type=OUT, help="Write CDISC USDM 4.0-shaped JSON, validated against its schema.")
@click.option("--labeler", type=click.Choice(LABELER_CHOICES), default="heuristic", show_default=True,
              help="Which labeler decides which tables are SoE (a human label in the library wins).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@OCR_OPTION
@click.pass_obj
def grid(settings: Settings, pdf: Path, as_json: bool, csv_out: Optional[Path], xlsx_out: Optional[Path],
         usdm_out: Optional[Path], labeler: str, quiet: bool, ocr: bool) -> None:
    """Extract the Schedule of Events grid(s) of one PDF: activities x visits, marks, footnotes."""
    from soe_desktop import __version__
    from soe_desktop.core.app.grid import document_grids
    from soe_desktop.core.grid.export import write_csv, write_xlsx
    from soe_desktop.core.grid.usdm import to_usdm, validation_errors
    from soe_desktop.core.pdf.analysis import AnalysisOptions

    try:
        with library(settings, create=False) as store, ProgressBar(not quiet and not as_json, pdf.name) as bar:
            chosen = _make_labeler(labeler, settings, store, allow_cloud=False)
            result = document_grids(pdf, chosen, store, progress=bar, options=AnalysisOptions.from_settings(settings, ocr))
    except SoeError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    wants_file = any(out is not None for out in (csv_out, xlsx_out, usdm_out))
    if wants_file and not result.grids:
        fail(f"{pdf.name}: no Schedule of Events grid found; nothing written")
    try:
        if csv_out is not None:
            _told(as_json, "CSV", write_csv(result.grids, csv_out))
        if xlsx_out is not None:
            _told(as_json, "XLSX", [write_xlsx(result.grids, xlsx_out)])
        if usdm_out is not None:
            document = to_usdm(result.grids, __version__)
            errors = validation_errors(document)
            if errors:  # a bug of ours, never the user's input: say where, write nothing
                fail(f"USDM export does not validate ({len(errors)} errors, first: {errors[0]})")
            usdm_out.parent.mkdir(parents=True, exist_ok=True)
            usdm_out.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
            _told(as_json, "USDM", [usdm_out])
    except OSError as error:
        fail(f"cannot write: {error.strerror or error} ({error.filename or ''})")
    if not as_json and not wants_file:
        _print_summary(result)


def _told(quiet: bool, kind: str, paths) -> None:
    """Where files went, on stderr when stdout carries the JSON contract."""
    click.echo(f"{kind}: {', '.join(str(path) for path in paths)}", err=quiet)


def _print_summary(result) -> None:
    doc = result.triage.document
    click.echo(f"{doc.path}  ({doc.page_count} pages)")
    if not result.grids:
        click.echo("no Schedule of Events grid found")
    for index, found in enumerate(result.grids, start=1):
        marks = sum(len(row.marks) for row in found.rows)
        pages = ", ".join(map(str, found.pages))
        click.echo(f"grid {index}: pages {pages}: {len(found.rows)} activities x {len(found.columns)} visits, "
                   f"{marks} marked cells, {len(found.footnotes)} footnotes"
                   + (f" (OCR pages {', '.join(map(str, found.ocr_pages))})" if found.ocr_pages else ""))


COMMANDS = [grid]
