"""`soe label`, `soe filter-report`, `soe costs` and `soe gemini-key`: the teachers from the command line.

Thin: parse options, build the teacher (heuristic, or Gemini behind the privacy gate), call
the core, print. Registered in the main `soe` group by soe_desktop.cli.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

import click

from soe_desktop.cli.documents import open_store
from soe_desktop.cli.progress import ProgressBar
from soe_desktop.core.errors import SoeError
from soe_desktop.core.app.labelers import LabelerContext, make_labeler, teacher_entries
from soe_desktop.core.labeling.uncertain_reading import READING_UNCERTAIN, calibration_rows, calibration_table, untempered
from soe_desktop.core.model import LabelKind, LabelSource
from soe_desktop.core.settings import Settings

TEACHERS = tuple(entry.name for entry in teacher_entries())


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _settings(obj: Optional[Settings]) -> Settings:
    if obj is not None:
        return obj
    from soe_desktop.core.settings import load_settings

    return load_settings()


def build_teacher(settings: Settings, store, teacher: str, allow_cloud: bool, samples: Optional[int]):
    """The labeler for `soe label`: the heuristic teacher, or Gemini with the heuristic as fallback."""
    settings = replace(settings, gemini_samples=samples or settings.gemini_samples)
    return make_labeler(teacher, LabelerContext(settings, store, allow_cloud=allow_cloud))


def _needs_label(store, sha256: str, teacher: str, relabel: bool) -> list:
    """Stored candidates without a label from `teacher` yet (a heuristic stand-in for Gemini has
    source "heuristic", so Gemini asks about those again)."""
    candidates = store.candidates(sha256)
    if relabel:
        return candidates
    done = {label.candidate_id for label in store.labels(sha256=sha256, source_prefix=teacher, include_retracted=False)}
    return [candidate for candidate in candidates if candidate.id not in done]


def _ingest_pdf(path: Path, store, teacher: str, settings: Settings, allow_cloud: bool,
                bar) -> tuple[str, Optional[list]]:
    """(sha256, teacher labels) for a new PDF ingested now with `teacher`, as the app would ingest
    it; (sha256, None) when already stored."""
    from soe_desktop.core.app.ingest import ingest_document
    from soe_desktop.core.pdf.ingest import sha256_of

    sha256 = sha256_of(path) if path.is_file() else ""
    if sha256 and store.document(sha256) is not None:
        return sha256, None
    result = ingest_document(path, replace(settings, teacher=teacher), store, progress=bar, allow_cloud=allow_cloud)
    labels = store.labels(sha256=result.sha256, include_retracted=False)
    return result.sha256, [label for label in labels if label.kind is LabelKind.TEACHER]


def _summary(name: str, labels: list, pending: dict) -> str:
    sources: dict[str, int] = {}
    for label in labels:
        key = f"{label.source} (stand-in for gemini)" if label.details.get("fallback_for") else label.source
        sources[key] = sources.get(key, 0) + 1
    counts = ", ".join(f"{count} {source}" for source, count in sorted(sources.items())) or "nothing new to label"
    waiting = sum(1 for label in labels if label.candidate_id in pending)
    return f"{name}: {counts}" + (f"; {waiting} pending for Gemini (asked again next run)" if waiting else "")


@click.command("label")
@click.argument("pdfs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--all", "all_documents", is_flag=True, help="Label every document already in the database.")
@click.option("--teacher", type=click.Choice(TEACHERS), default=None,
              help="Teacher to label with (default: the teacher setting).")
@click.option("--allow-cloud", is_flag=True,
              help="Consent to send these documents' tables to Gemini (stored per document).")
@click.option("--samples", type=click.IntRange(1, 8), default=None,
              help="Gemini answers per table and representation (self-consistency; default: setting).")
@click.option("--relabel", is_flag=True, help="Label candidates again even if this teacher already did.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_obj
def label(obj, pdfs, all_documents, teacher, allow_cloud, samples, relabel, quiet) -> None:
    """Label the candidates of PDFs (ingesting new ones) or of --all stored documents with a teacher."""
    if bool(pdfs) == all_documents:
        _fail("give PDF files or --all (not both)")
    settings = _settings(obj)
    teacher = teacher or settings.teacher
    if teacher not in TEACHERS:
        _fail(f"unknown teacher {teacher!r}; use one of {', '.join(TEACHERS)}")
    store = open_store(settings)
    labeler = build_teacher(settings, store, teacher, allow_cloud, samples)
    failures = 0
    try:
        if all_documents:
            work = [(doc["filename"], doc["sha256"], None) for doc in store.documents()]
        else:
            work = []
            for path in pdfs:
                with ProgressBar(not quiet, path.name) as bar:
                    try:
                        work.append((path.name, *_ingest_pdf(path, store, teacher, settings, allow_cloud, bar)))
                    except SoeError as error:
                        failures += 1
                        click.echo(f"error: {error}", err=True)
        for name, sha256, labels in work:
            if allow_cloud and teacher == "gemini":
                store.set_cloud_consent(sha256, True, actor="cli")
            if labels is None:
                todo = _needs_label(store, sha256, teacher, relabel)
                with ProgressBar(not quiet, name) as bar:
                    labels = labeler.label(todo, progress=bar) if todo else []
                store.add_labels(labels)
            click.echo(_summary(name, labels, getattr(labeler, "pending", {})))
        for message in getattr(labeler, "messages", []):
            click.echo(f"note: {message}", err=True)
    finally:
        store.close()
    if failures:
        sys.exit(1)


def _latest(labels) -> dict:
    return {label.candidate_id: label for label in labels}


@click.command("filter-report")
@click.option("--source", default="gemini", show_default=True,
              help="Teacher whose stored labels are filtered (gemini, heuristic, student:<version>).")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Instead of the database: label a labelled corpus folder with the heuristic teacher "
                   "and use its page labels as the human labels.")
@click.option("--threshold", "thresholds", type=click.FloatRange(0.0, 1.0), multiple=True,
              help="Threshold(s) to report (default 0.5 ... 0.99).")
@click.option("--no-agreement", is_flag=True, help="Do not require the two representations to agree.")
@click.option("--compare-agreement", is_flag=True,
              help="Also print the table without the agreement requirement (what agreement buys).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for reliability.png.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def filter_report(obj, source, corpus_dir, thresholds, no_agreement, compare_agreement, out_dir, as_json) -> None:
    """Coverage and precision of the selective filter per threshold, plus a reliability diagram."""
    from soe_desktop.core.app.evaluate import label_corpus
    from soe_desktop.core.labeling import selective_filter as sf

    settings = _settings(obj)
    if corpus_dir is not None:
        from soe_desktop.core.labeling.heuristic import HeuristicTeacher

        try:
            with ProgressBar(not as_json, "corpus") as bar:
                teacher_labels, truth, failures = label_corpus(corpus_dir, HeuristicTeacher(), bar)
        except SoeError as error:
            _fail(str(error))
        source = "heuristic"
        for name, message in failures.items():
            click.echo(f"warning: {name}: {message}", err=True)
    else:
        store = open_store(settings)
        try:
            teacher_labels = list(_latest(store.labels(source_prefix=source, include_retracted=False)).values())
            human = _latest(store.labels(source_prefix=LabelSource.prefix(LabelKind.HUMAN), include_retracted=False))
            truth = {cid: label.is_soe for cid, label in human.items()}
        finally:
            store.close()
    if not teacher_labels:
        _fail(f"no {source} labels to report on; run `soe label --teacher {source.split(':')[0]} ...` first")
    report = sf.filter_report(teacher_labels, truth, thresholds or sf.DEFAULT_THRESHOLDS, not no_agreement)
    png = sf.reliability_diagram(teacher_labels, truth, out_dir / "reliability.png",
                                 title=f"{source} labels vs human labels") if truth else None
    calibration = calibration_rows(teacher_labels, truth)
    before_png = _reliability_before(teacher_labels, truth, out_dir, source)
    if as_json:
        click.echo(json.dumps({"source": source, "total": report.total, "with_human_label": report.with_truth,
                               "require_agreement": report.require_agreement, "rows": report.as_dicts(),
                               "ece": calibration[0]["ece_after"], "calibration": calibration,
                               "reliability_png": str(png) if png else None,
                               "reliability_before_png": str(before_png) if before_png else None}))
        return
    click.echo(f"{source}: {report.total} labels, {report.with_truth} with a human label; "
               f"agreement {'required' if report.require_agreement else 'not required'}")
    click.echo(report.table())
    if compare_agreement and report.require_agreement:
        click.echo("without the agreement requirement:")
        click.echo(sf.filter_report(teacher_labels, truth, thresholds or sf.DEFAULT_THRESHOLDS, False).table())
    if report.agreement_unknown and report.require_agreement:
        click.echo(f"note: {report.agreement_unknown} labels carry no agreement signal and are never kept", err=True)
    if not png:
        click.echo("no human labels: precision and reliability need some")
        return
    click.echo(f"calibration (confidence in the verdict; 'before': as the labeler gave it, before the "
               f"uncertain-reading rule): ECE {_ece(calibration[0]['ece_after'])}")
    click.echo(calibration_table(calibration))
    click.echo(f"reliability diagram: {png}" + (f" (before the uncertain-reading rule: {before_png})" if before_png else ""))


def _ece(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _reliability_before(labels, truth, out_dir: Path, source: str) -> Optional[Path]:
    """The reliability diagram of the same labels before the uncertain-reading rule lowered some,
    when it did lower some (labeling/uncertain_reading.py)."""
    from soe_desktop.core.labeling import selective_filter as sf

    if not truth or not any(label.details.get(READING_UNCERTAIN) for label in labels):
        return None
    return sf.reliability_diagram([untempered(label) for label in labels], truth, out_dir / "reliability_before.png",
                                  title=f"{source} labels before the uncertain-reading rule")


@click.command("costs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def costs(obj, as_json) -> None:
    """Gemini requests, cache hits, tokens and estimated cost per document (prices in settings)."""
    from soe_desktop.core.labeling.cache import grand_total

    settings = _settings(obj)
    store = open_store(settings)
    try:
        per_document = store.ledger_totals()
    finally:
        store.close()
    total = grand_total(per_document)
    if as_json:
        click.echo(json.dumps({"documents": per_document, "total": total}))
        return
    click.echo(f"{'document':<40} {'requests':>8} {'cached':>7} {'failed':>6} {'in tok':>9} {'out tok':>8} {'USD':>9}")
    for row in per_document:
        name = (row.get("filename") or row["document_sha256"][:12])[:40]
        click.echo(_cost_line(name, row))
    click.echo(_cost_line(f"total ({total['documents']} documents)", total))
    click.echo(f"prices: ${settings.price_input_per_mtok}/M input, ${settings.price_output_per_mtok}/M output tokens")


def _cost_line(name: str, row: dict) -> str:
    return (f"{name:<40} {int(row.get('requests') or 0):>8} {int(row.get('cached_items') or 0):>7} "
            f"{int(row.get('failed_requests') or 0):>6} {int(row.get('input_tokens') or 0):>9} "
            f"{int(row.get('output_tokens') or 0):>8} {float(row.get('cost_usd') or 0):>9.4f}")


@click.command("gemini-key")
@click.option("--forget", is_flag=True, help="Remove the key from the OS keyring.")
def gemini_key(forget: bool) -> None:
    """Save the Gemini API key in the OS keyring (asked without echo), or --forget it."""
    from keyring.errors import KeyringError

    from soe_desktop.core.labeling import keys

    if forget:
        click.echo("key removed" if keys.forget_api_key() else "no key was stored")
        return
    value = click.prompt("Gemini API key", hide_input=True)
    try:
        keys.store_api_key(value)
    except (KeyringError, ValueError) as error:
        _fail(f"cannot save the key ({error}); set GEMINI_API_KEY in the environment instead")
    click.echo("key saved in the OS keyring")


COMMANDS = [label, filter_report, costs, gemini_key]
