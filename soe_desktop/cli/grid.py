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
    from soe_desktop.core.app.grid import document_grids
    from soe_desktop.core.app.grid_edits import export_grids
    from soe_desktop.core.pdf.analysis import AnalysisOptions

    try:
        with library(settings, create=False) as store, ProgressBar(not quiet and not as_json, pdf.name) as bar:
            chosen = _make_labeler(labeler, settings, store, allow_cloud=False)
            result = document_grids(pdf, chosen, store, progress=bar, options=AnalysisOptions.from_settings(settings, ocr))
    except SoeError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    wanted = {fmt: out for fmt, out in (("csv", csv_out), ("xlsx", xlsx_out), ("usdm", usdm_out)) if out is not None}
    if wanted and not result.grids:
        why = "; ".join(f"pages {', '.join(map(str, f.pages))}: {f.reason}" for f in result.failed)
        fail(f"{pdf.name}: no Schedule of Events grid found{f' ({why})' if why else ''}; nothing written")
    for found in result.grids if wanted else []:
        if found.suspect:  # written, but never as if it were a sound result
            click.echo(f"warning: the grid on pages {', '.join(map(str, found.pages))} is suspect "
                       f"({found.suspect}); it is exported as read", err=True)
    try:
        for fmt, out in wanted.items():
            _told(as_json, fmt.upper(), export_grids(result.grids, fmt, out, document=result.triage.document))
    except SoeError as error:  # a write error, or a USDM document that does not validate: nothing written
        fail(str(error))
    if not as_json and not wanted:
        _print_summary(result)


def _told(quiet: bool, kind: str, paths) -> None:
    """Where files went, on stderr when stdout carries the JSON contract."""
    click.echo(f"{kind}: {', '.join(str(path) for path in paths)}", err=quiet)


def _print_summary(result) -> None:
    doc = result.triage.document
    click.echo(f"{doc.path}  ({doc.page_count} pages)")
    if not result.grids and not result.failed:
        click.echo("no Schedule of Events grid found")
    for index, found in enumerate(result.grids, start=1):
        marks = sum(len(row.marks) for row in found.rows)
        pages = ", ".join(map(str, found.pages))
        click.echo(f"grid {index}: pages {pages}: {len(found.rows)} activities x {len(found.columns)} visits, "
                   f"{marks} marked cells, {len(found.footnotes)} footnotes"
                   + (f" (OCR pages {', '.join(map(str, found.ocr_pages))})" if found.ocr_pages else "")
                   + f", {found.uncertain_share:.0%} of cells uncertain")
        if found.redacted:
            click.echo("  redacted: the body is blacked out; the header is kept, no marks")
        if found.suspect:
            click.echo(f"  SUSPECT: {found.suspect}; check it against the page before using it")
    for failure in result.failed:
        click.echo(f"no grid for the SoE table on pages {', '.join(map(str, failure.pages))}: {failure.reason}")
    for page, reason in sorted(result.unreadable.items()):
        click.echo(f"page {page} unreadable: {reason}")


COMMANDS = [grid]
