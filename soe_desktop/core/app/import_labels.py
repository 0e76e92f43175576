"""Import page labels a team already keeps (a corpus folder, a spreadsheet's CSV, JSON Lines) as
human labels on the stored candidates: `soe import-labels PATH` and File ▸ Import labels.

Each page verdict becomes a human label, attributed to the person at the keyboard and marked as
imported (reason "imported from <file>", details {"imported": path, "import_run": id}), on:
- a negative page: every candidate on it;
- an SoE page: the candidates the machine already calls SoE, or every candidate when it calls
  none (the person says the page holds one; the others there, e.g. a footnote box, stay undecided);
  a page with no candidate at all gets a whole-page manual candidate, so a missed table becomes
  training data.
Not-scored pages are skipped. A candidate whose effective label already is the same human verdict
is skipped, so importing a file twice writes nothing the second time. Documents the library lacks
are ingested first (corpus layout: the PDF is there) or reported, one line each (CSV/JSONL).

All labels and manual candidates of one run are written in one transaction with a
'labels.import' audit entry holding their ids; `undo_import` retracts them (append-only, like an
undo in the review panel) and hides the manual candidates it added.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from soe_desktop.core.app.ingest import FINISHED, ingest_document
from soe_desktop.core.app.label_sources import DocumentPages, LabelFile, read_label_file
from soe_desktop.core.app.review import refresh_status, reviewer
from soe_desktop.core.errors import BadInputError, SoeError
from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import Candidate, Label, LabelKind, LabelSource
from soe_desktop.core.pdf.ingest import sha256_of
from soe_desktop.core.pdf.manual import whole_page_candidate
from soe_desktop.core.settings import Settings

IMPORT_ACTION = "labels.import"
UNDO_ACTION = "labels.import_undo"
MANUAL_NOTE = "Added by a label import: the page holds an SoE every finder missed."


@dataclass
class ImportResult:
    """What one import did (plain data: crosses threads)."""

    source: str
    kind: str
    run_id: str
    documents: int = 0  # documents with at least one page decision applied
    ingested: int = 0  # of which were ingested by this import
    pages: int = 0  # scored page decisions applied
    labels_written: int = 0
    skipped: int = 0  # candidates already carrying the same human verdict
    not_scored: int = 0  # pages skipped as not scored
    undecided: int = 0  # candidates on an SoE page left to the reviewer (another table there is the SoE)
    manual_candidates: int = 0
    unknown: list[str] = field(default_factory=list)  # one line per document not in the library
    problems: list[str] = field(default_factory=list)  # rows or pages that could not be used
    labels_by_document: dict[str, list[int]] = field(default_factory=dict)  # sha256 -> label ids written

    def summary(self) -> str:
        ingested = f" ({self.ingested} ingested)" if self.ingested else ""
        return (f"{self.documents} documents{ingested}, {self.pages} pages, {self.labels_written} labels written, "
                f"{self.skipped} skipped (already labelled so), {self.not_scored} not-scored pages, "
                f"{self.manual_candidates} manual candidates")


@dataclass
class _Plan:
    labels: list[Label] = field(default_factory=list)
    manual: list[Candidate] = field(default_factory=list)
    document_of: dict[str, str] = field(default_factory=dict)  # candidate id -> sha256


IngestFunction = Callable[..., object]


def import_labels(
    path: str | Path,
    settings: Settings,
    store,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    actor: Optional[str] = None,
    ingest: IngestFunction = ingest_document,
) -> ImportResult:
    """Import PATH's page labels into `store` (see the module doc); BadInputError when PATH is unreadable."""
    progress = progress or no_progress
    label_file = read_label_file(path)
    actor = actor or reviewer()
    result = ImportResult(str(label_file.path), label_file.kind, uuid.uuid4().hex[:12],
                          problems=list(label_file.problems))
    plan = _Plan()
    total = len(label_file.documents)
    for index, pages in enumerate(label_file.documents):
        check(cancel)
        progress(Progress("importing", index, total, pages.where or pages.key))
        sha256 = _resolve(pages, label_file, store, result, lambda pdf: ingest(
            pdf, settings, store, progress=progress, cancel=cancel))
        if sha256 is not None:
            result.documents += 1
            _plan_document(store, sha256, pages, label_file, result, plan, actor)
    check(cancel)
    _write(store, plan, result, actor)
    for sha256 in result.labels_by_document:
        refresh_status(store, sha256)
    progress(Progress("importing", total, total, result.summary()))
    return result


# --- finding the documents -------------------------------------------------------------------


def _resolve(pages: DocumentPages, label_file: LabelFile, store, result: ImportResult,
             ingest: Callable[[Path], object]) -> Optional[str]:
    """The stored document `pages` is about (ingested first from a corpus folder), or None, reported."""
    if pages.pdf_path is not None:
        return _stored_or_ingested(pages, store, result, ingest)
    if pages.by_sha256:
        if store.document(pages.key) is not None:
            return pages.key
        return _unknown(result, pages, f"no document with sha256 {pages.key[:12]}… in the library")
    matches = _documents_named(store, pages.key, label_file.path.parent)
    if len(matches) == 1:
        return matches.pop()
    if matches:
        return _unknown(result, pages, f"{len(matches)} documents in the library are called {pages.key}; use sha256")
    return _unknown(result, pages, f"{pages.key} is not in the library (ingest it first)")


def _unknown(result: ImportResult, pages: DocumentPages, why: str) -> None:
    rows = len(pages.pages)
    result.unknown.append(f"{pages.where}: {why}; {rows} page{'s' if rows != 1 else ''} skipped")
    return None


def _documents_named(store, name: str, base: Path) -> set[str]:
    """Documents whose stored file name or original path is `name`, or whose bytes are the file it names."""
    for candidate in (Path(name), base / name):
        if candidate.is_file():
            try:
                sha256 = sha256_of(candidate)
            except OSError:
                break
            if store.document(sha256) is not None:
                return {sha256}
            break
    return {doc["sha256"] for doc in store.documents()
            if doc["filename"] == Path(name).name or doc["original_path"] == name}


def _stored_or_ingested(pages: DocumentPages, store, result: ImportResult, ingest) -> Optional[str]:
    pdf = pages.pdf_path
    try:
        sha256 = sha256_of(pdf)
    except OSError as error:
        return _unknown(result, pages, f"{pdf.name} cannot be read ({error.strerror or error})")
    if (store.document(sha256) or {}).get("status") in FINISHED:
        return sha256
    try:
        ingested = ingest(pdf)
    except SoeError as error:
        return _unknown(result, pages, f"{pdf.name} could not be ingested ({error})")
    result.ingested += 1
    return ingested.sha256


# --- deciding the labels ---------------------------------------------------------------------


def _pages_to_decide(pages: DocumentPages, page_count: int) -> list[int]:
    return list(range(1, page_count + 1)) if pages.rest_negative else sorted(pages.pages)


def _plan_document(store, sha256: str, pages: DocumentPages, label_file: LabelFile, result: ImportResult,
                   plan: _Plan, actor: str) -> None:
    document = store.document(sha256) or {}
    page_count = int(document.get("page_count") or 0)
    candidates = store.candidates(sha256)
    effective = store.effective_labels(sha256)
    stored_pages = None
    reason = f"imported from {label_file.path.name}"
    details = {"imported": str(label_file.path), "import_run": result.run_id}
    for page in _pages_to_decide(pages, page_count):
        verdict = pages.pages.get(page, False)
        if page > page_count:
            result.problems.append(f"{pages.where}: page {page} is beyond the document's {page_count} pages; skipped")
            continue
        if verdict is None:
            result.not_scored += 1
            continue
        result.pages += 1
        on_page = [candidate for candidate in candidates if candidate.page == page]
        if verdict and not on_page:
            stored_pages = stored_pages if stored_pages is not None else store.pages(sha256)
            if len(stored_pages) < page:
                result.problems.append(f"{pages.where}: page {page} was never read; no candidate to label")
                continue
            pdf = pages.pdf_path or document.get("stored_path") or None  # to read the page's reading again
            on_page = [whole_page_candidate(sha256, stored_pages, page, MANUAL_NOTE, pdf_path=pdf)]
            plan.manual.append(on_page[0])
        targets = _targets(on_page, effective, verdict)
        result.undecided += len(on_page) - len(targets)
        for candidate in targets:
            current = effective.get(candidate.id)
            if current is not None and current.kind is LabelKind.HUMAN and current.is_soe == verdict:
                result.skipped += 1
                continue
            plan.labels.append(Label(candidate.id, verdict, 1.0, actor, reason=reason,
                                     details={**details, "page": page}))
            plan.document_of[candidate.id] = sha256


def _targets(on_page: list[Candidate], effective: dict[str, Label], is_soe: bool) -> list[Candidate]:
    if not is_soe:
        return on_page
    called_soe = [c for c in on_page if (label := effective.get(c.id)) is not None and label.is_soe]
    return called_soe or on_page


# --- writing, and undoing ----------------------------------------------------------------------


def _write(store, plan: _Plan, result: ImportResult, actor: str) -> None:
    """Manual candidates, labels and the run's audit entry, all or nothing."""
    with store.transaction():
        for candidate in plan.manual:
            if not store.add_candidate(candidate, actor=actor):  # hidden by an earlier undo: show it again
                store.set_candidate_current(candidate.id, True, actor=actor)
        ids = store.add_labels(plan.labels) if plan.labels else []
        for label, label_id in zip(plan.labels, ids):
            result.labels_by_document.setdefault(plan.document_of[label.candidate_id], []).append(label_id)
        result.labels_written, result.manual_candidates = len(ids), len(plan.manual)
        store.audit(IMPORT_ACTION, result.run_id, {
            "path": result.source, "kind": result.kind, "documents": result.documents, "pages": result.pages,
            "label_ids": ids, "manual_candidates": [c.id for c in plan.manual], "skipped": result.skipped,
            "not_scored": result.not_scored, "unknown": len(result.unknown),
            "document_sha256s": sorted(result.labels_by_document)}, actor, new=result.source)


@dataclass(frozen=True)
class UndoResult:
    run_id: str
    source: str
    retracted: int
    hidden: int  # manual candidates hidden again


def undo_import(store, run_id: Optional[str] = None, actor: Optional[str] = None) -> UndoResult:
    """Retract the labels of an import run (when `run_id` is None, the latest that wrote something and
    is not undone yet) and hide the manual candidates it added that no label holds up any more; audited."""
    actor = actor or reviewer()
    undone = {entry["subject"] for entry in store.audit_entries(action=UNDO_ACTION)}
    runs = [entry for entry in store.audit_entries(action=IMPORT_ACTION)
            if entry["subject"] not in undone and (entry["subject"] == run_id if run_id else _wrote(entry))]
    if not runs:
        raise BadInputError(f"no import run {run_id} to undo" if run_id else "no label import to undo")
    entry = runs[-1]
    with store.transaction():
        retracted = retract_labels(store, entry["details"].get("label_ids", []), actor)
        hidden = 0
        for candidate_id in entry["details"].get("manual_candidates", []):
            if store.candidate(candidate_id) is not None and not store.labels(candidate_id, include_retracted=False):
                store.set_candidate_current(candidate_id, False, actor=actor)
                hidden += 1
        store.audit(UNDO_ACTION, entry["subject"], {"retracted": retracted, "hidden": hidden}, actor,
                    old=entry["details"].get("path", ""))
    for sha256 in entry["details"].get("document_sha256s", []):
        refresh_status(store, sha256)
    return UndoResult(entry["subject"], entry["details"].get("path", ""), retracted, hidden)


def _wrote(entry: dict) -> bool:
    return bool(entry["details"].get("label_ids") or entry["details"].get("manual_candidates"))


def retract_labels(store, label_ids: list[int], actor: str) -> int:
    """Retract each label not retracted yet (the review panel's undo, for many labels); returns how many."""
    name = LabelSource.parse(actor).name
    retracted = 0
    with store.transaction():
        for label_id in label_ids:
            try:
                store.retract(int(label_id), name)
            except ValueError:  # already retracted (e.g. undone in the review panel)
                continue
            retracted += 1
    return retracted
