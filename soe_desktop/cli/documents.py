"""`soe ingest`, `soe triage` and `soe evaluate`."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click

from soe_desktop.cli.progress import ProgressBar
from soe_desktop.core.errors import SoeError
from soe_desktop.core.app.labelers import labeler_names
from soe_desktop.core.settings import Settings

LABELER_CHOICES = labeler_names()
PDF_PATHS = click.Path(path_type=Path)


def fail(message: str) -> None:
    """One line on stderr and a non-zero exit: the contract for bad input."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def open_store(settings: Settings):
    from soe_desktop.core.store import Store

    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    return Store(settings.db_path)


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """Folders count as every PDF inside them, like dropping a folder on the window."""
    expanded: list[Path] = []
    for path in paths:
        expanded.extend(sorted(path.rglob("*.pdf")) if path.is_dir() else [path])
    return expanded


# Off for one run; the setting `read_scanned_pages` turns it off for good.
OCR_OPTION = click.option("--no-ocr", "ocr", is_flag=True, flag_value=False, default=True,
                          help="Leave pages without a text layer unread (faster; pictured SoE pages may be missed).")


@click.command()
@click.argument("pdfs", nargs=-1, required=True, type=PDF_PATHS)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@OCR_OPTION
@click.option("--allow-cloud", is_flag=True,
              help="With the Gemini teacher: consent to send these documents' tables to Gemini.")
@click.pass_obj
def ingest(settings: Settings, pdfs: tuple[Path, ...], quiet: bool, ocr: bool, allow_cloud: bool) -> None:
    """Store, analyse and label PDFs (or folders of PDFs) as a drop on the window does: the teacher
    setting, the active student and the auto-accept rule. A bad file does not stop the rest."""
    from soe_desktop.core.app.ingest import ingest_document

    store = open_store(settings)
    failures = 0
    for path in _expand(pdfs):
        with ProgressBar(not quiet, path.name) as bar:
            try:
                result = ingest_document(path, settings, store, progress=bar, allow_cloud=allow_cloud, ocr=ocr)
            except SoeError as error:
                failures += 1
                click.echo(f"error: {error}", err=True)
                continue
        note = " (already stored)" if result.duplicate else ""
        click.echo(f"{path.name}: {result.page_count} pages, {result.candidates} candidates, "
                   f"SoE pages {_pages(result.soe_pages)}{note}")
        for message in result.messages:
            click.echo(f"note: {message}", err=True)
    store.close()
    if failures:
        sys.exit(1)


def _pages(pages: list[int]) -> str:
    return ", ".join(map(str, pages)) if pages else "none"


def _make_labeler(name: str, settings: Settings, store=None, allow_cloud: bool = False):
    """The named labeler, strict: Gemini itself, never the offline stand-in, so a score under
    Gemini's name is Gemini's (it refuses, sending nothing, when offline, without --allow-cloud or
    without a key); the student needs the library's active model."""
    from soe_desktop.core.app.labelers import LabelerContext, make_labeler

    return make_labeler(name, LabelerContext(settings, store, allow_cloud=allow_cloud, strict=True))


@click.command()
@click.argument("pdf", type=PDF_PATHS)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract instead of a table.")
@click.option("--labeler", type=click.Choice(LABELER_CHOICES), default="heuristic", show_default=True)
@click.option("--allow-cloud", is_flag=True, help="With --labeler gemini: consent to send this document's tables.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@OCR_OPTION
@click.pass_obj
def triage(settings: Settings, pdf: Path, as_json: bool, labeler: str, allow_cloud: bool, quiet: bool,
           ocr: bool) -> None:
    """Find and label the candidate tables of one PDF (nothing is stored)."""
    from soe_desktop.core.app.triage import triage as run_triage
    from soe_desktop.core.pdf.analysis import AnalysisOptions

    try:
        with _library_for(labeler, settings) as store, \
                ProgressBar(not quiet and not as_json, pdf.name) as bar:
            result = run_triage(pdf, _make_labeler(labeler, settings, store, allow_cloud), progress=bar,
                                options=AnalysisOptions.from_settings(settings, ocr))
    except SoeError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    _print_table(result.to_json())


def _print_table(payload: dict) -> None:
    doc = payload["document"]
    click.echo(f"{doc['path']}  ({doc['pages']} pages, sha256 {doc['sha256'][:12]}…)")
    click.echo(f"{'page':>5}  {'detector':<14} {'group':<24} {'label':<7} {'conf':>5}")
    for cand in payload["candidates"]:
        label = "-" if cand["is_soe"] is None else ("SoE" if cand["is_soe"] else "no")
        conf = "" if cand["confidence"] is None else f"{cand['confidence']:.2f}"
        group = cand["group"][-22:] if cand["group"] != cand["id"] else ""
        click.echo(f"{cand['page']:>5}  {cand['detector']:<14} {group:<24} {label:<7} {conf:>5}")
    click.echo(f"SoE pages: {_pages(payload['soe_pages'])}   "
               f"({payload['labeler']}, {payload['seconds']:.1f} s)")
    if payload["document"].get("repaired"):
        click.echo("The file was damaged: it was read from a copy repaired with qpdf.")
    if payload.get("unreadable_pages"):
        click.echo(f"Unreadable pages (skipped): {_pages(payload['unreadable_pages'])}")
    if payload.get("text_less_pages"):
        read = f" (read by OCR: {_pages(payload['ocr_pages'])})" if payload.get("ocr_pages") else ""
        click.echo(f"Pages without a text layer: {_pages(payload['text_less_pages'])}{read}")


COMMANDS = [ingest, triage]


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--labeler", type=click.Choice(LABELER_CHOICES), default="heuristic", show_default=True)
@click.option("--allow-cloud", is_flag=True,
              help="With --labeler gemini: consent to send every document's tables in the folder to Gemini.")
@click.option("--details", is_flag=True, help="One row per document: missed and false pages.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
def evaluate(settings: Settings, directory: Path, labeler: str, allow_cloud: bool, details: bool, as_json: bool,
             quiet: bool) -> None:
    """Score a labeler on a corpus folder (<name>/protocol.pdf + labels.json), per the corpus metric."""
    from soe_desktop.core.evaluation.metrics import format_page_metrics

    try:
        result = _evaluate(settings, directory, labeler, allow_cloud, quiet)
    except SoeError as error:
        fail(str(error))
    for name, message in result.failures.items():
        click.echo(f"skipped {name}: {message}", err=True)
    scores = result.scores
    if as_json:
        payload = {"labeler": result.labeler, **scores.to_dict(details),
                   "ms_per_page": round(result.ms_per_page, 2), "failures": result.failures}
        click.echo(json.dumps(payload, indent=2, default=list))
        return
    click.echo(f"labeler {result.labeler}: {len(scores.pages.rows)} documents, {result.pages_read} pages, "
               f"{result.ms_per_page:.1f} ms/page")
    click.echo(format_page_metrics(scores.pages, details))
    click.echo(f"candidate recall {scores.candidates.recall:.3f} ({scores.candidates.found}/{scores.candidates.total})")
    tables = scores.tables
    click.echo(f"tables: precision {tables.precision:.3f}  recall {tables.recall:.3f}  F1 {tables.f1:.3f}  "
               f"representation agreement {tables.agreement:.3f}")


def _evaluate(settings: Settings, directory: Path, labeler: str, allow_cloud: bool, quiet: bool):
    """Run the evaluation; Gemini's requests and costs go to the app's ledger like `soe label`'s."""
    from soe_desktop.core.app.evaluate import evaluate_corpus

    with _library_for(labeler, settings) as store:
        chosen = _make_labeler(labeler, settings, store, allow_cloud)
        with ProgressBar(not quiet) as bar:
            return evaluate_corpus(directory, chosen, progress=bar)


@contextmanager
def library(settings: Settings, create: bool = True):
    """The library, closed after use; None when there is none yet and `create` is off."""
    if not create and not settings.db_path.exists():
        yield None
        return
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def _library_for(labeler: str, settings: Settings):
    """The library, opened only for labelers that need it: Gemini's cost ledger (created when new),
    the student's active model (a missing library means no model: the labeler says so)."""
    return nullcontext() if labeler == "heuristic" else library(settings, create=labeler != "student")


COMMANDS.append(evaluate)
