"""One document from PDF to labelled candidates: the same code for CLI, GUI, tests and benchmarks.

read pages (pypdfium2) -> page features and screen -> table detection on screened pages only
-> labeler. Keeping the expensive detectors off most pages is what keeps triage fast. A page that
is SoE on its own is detected while the pages after it are still being read (core/pdf/streaming.py),
so a viewer draws its box within a fraction of a second; the result does not change.
`process_into_store` wraps this for the GUI queue and `soe ingest`: it keeps a copy, records the
status at each stage, and a failure marks only that document 'error'.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from soe_desktop.core.errors import SoeError
from soe_desktop.core.jobs import Cancelled, CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.model import Candidate, Document, Label, PageText, soe_pages_of
from soe_desktop.core.pdf import features
from soe_desktop.core.pdf.candidates import find_candidates
from soe_desktop.core.pdf.ingest import open_document
from soe_desktop.core.pdf.ocr import screen_with_ocr
from soe_desktop.core.pdf.streaming import read_with_early_detection
from soe_desktop.core.settings import SECOND_LOOK_PAGES, Settings
from soe_desktop.core.store.files import keep_copy

FINISHED = ("needs review", "done")


@dataclass
class Analysis:
    """Everything found in one PDF before any labeler looked at it."""

    document: Document
    pages: list[PageText]
    candidates: list[Candidate]
    page_scores: list[float] = field(default_factory=list)

    @property
    def text_less_pages(self) -> list[int]:
        return [page.number for page in self.pages if not page.has_text_layer]


@dataclass
class TriageResult:
    analysis: Analysis
    labels: list[Label]
    labeler: str
    seconds: float
    duplicate: bool = False  # the same bytes were already in the store; nothing was redone

    @property
    def document(self) -> Document:
        return self.analysis.document

    @property
    def candidates(self) -> list[Candidate]:
        return self.analysis.candidates

    def soe_pages(self) -> list[int]:
        """Pages predicted SoE: at least one candidate on them labelled SoE (corpus metric)."""
        return soe_pages_of(self.candidates, {label.candidate_id: label for label in self.labels})

    def to_json(self) -> dict:
        """The `soe triage --json` contract (GUIDE §3): add keys, never rename."""
        labels = {label.candidate_id: label for label in self.labels}
        return {
            "document": {
                "path": self.document.path,
                "sha256": self.document.sha256,
                "pages": self.document.page_count,
            },
            "labeler": self.labeler,
            "candidates": [_candidate_json(c, labels.get(c.id)) for c in self.candidates],
            "soe_pages": self.soe_pages(),
            "text_less_pages": self.analysis.text_less_pages,
            "ocr_pages": [page.number for page in self.analysis.pages if page.ocr],
            "seconds": round(self.seconds, 3),
        }


def _candidate_json(candidate: Candidate, label: Optional[Label]) -> dict:
    return {
        "id": candidate.id,
        "page": candidate.page,
        "bbox": [round(v, 1) for v in candidate.bbox],
        "group": candidate.group,
        "detector": candidate.detector,
        "is_soe": None if label is None else label.is_soe,
        "confidence": None if label is None else round(label.confidence, 4),
        "source": None if label is None else label.source,
    }


def attach_page_features(candidates: list[Candidate], page_features: list[dict], scores: list[float]) -> None:
    """Give every candidate its page's layout cues and the screen's verdict on the page, so labelers
    see layout and neighbours, not text only."""
    for candidate in candidates:
        candidate.features.update(features.candidate_page_features(page_features[candidate.page - 1],
                                                                   scores[candidate.page - 1]))


def analyse(
    path: str | Path,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    ocr: bool = True,
    second_look: int = SECOND_LOOK_PAGES,
) -> Analysis:
    """Ingest checks, page text (OCR of pages without a text layer when `ocr` and the optional engine
    is installed), cheap page screen, then table detection on the screened pages and, last, on the
    `second_look` text pages the screen came closest to opening (look-alikes a student learns from).

    Pages that are SoE on their own are detected while the others are still being read (the
    streaming screen): their boxes reach a viewer within a fraction of a second, and the full
    pass reuses them, so the result is the same as detecting everything after reading.
    """
    progress = progress or no_progress
    document = open_document(path)
    stream = read_with_early_detection(path, document, progress, cancel)
    pages = stream.pages
    check(cancel)
    page_features, scores = screen_with_ocr(path, pages, stream.singles, ocr, progress=progress, cancel=cancel,
                                            sha256=document.sha256)
    table_pages, fallback_pages, looked = features.pages_to_examine(pages, scores, second_look)
    candidates = find_candidates(path, document, pages, table_pages, fallback_pages, progress, cancel,
                                 found_early=stream.early, alone=looked)
    attach_page_features(candidates, page_features, scores)
    return Analysis(document=document, pages=pages, candidates=candidates, page_scores=list(scores))


def default_labeler() -> Labeler:
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher

    return HeuristicTeacher()


def label_candidates(
    analysis: Analysis,
    labeler: Labeler,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> list[Label]:
    progress = progress or no_progress
    total = len(analysis.candidates)
    progress(Progress("labelling", 0, total))
    labels = labeler.label(analysis.candidates, progress=progress, cancel=cancel) if total else []
    progress(Progress("labelling", total, total))
    return labels


def triage(
    path: str | Path,
    labeler: Optional[Labeler] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    ocr: bool = True,
    second_look: int = SECOND_LOOK_PAGES,
) -> TriageResult:
    """Analyse and label one PDF without touching the store (the `soe triage` command)."""
    started = time.perf_counter()
    labeler = labeler or default_labeler()
    analysis = analyse(path, progress, cancel, ocr=ocr, second_look=second_look)
    labels = label_candidates(analysis, labeler, progress, cancel)
    return TriageResult(analysis, labels, labeler.name, time.perf_counter() - started)

class _StatusRecorder:
    """Forwards progress and writes the document's status to the store when the stage changes."""

    def __init__(self, store, sha256: str, progress: ProgressCallback) -> None:
        self.store, self.sha256, self.progress = store, sha256, progress
        self.stage = ""

    def __call__(self, report: Progress) -> None:
        early = bool((report.extra or {}).get("early"))  # boxes found while reading: still 'reading'
        if report.stage != self.stage and not early:
            self.stage = report.stage
            self.store.set_status(self.sha256, report.stage)
        self.progress(report)


def _stored_result(store, sha256: str) -> TriageResult:
    """Rebuild a result from what the store already holds (duplicate drop: nothing is redone)."""
    document = open_document(store.document(sha256)["stored_path"])
    analysis = Analysis(document, store.pages(sha256), store.candidates(sha256))
    labels = list(store.effective_labels(sha256).values())
    return TriageResult(analysis, labels, "stored", 0.0, duplicate=True)


def process_into_store(
    path: str | Path,
    store,
    labeler: Optional[Labeler] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    documents_dir: Optional[Path] = None,
    ocr: bool = True,
    second_look: int = SECOND_LOOK_PAGES,
) -> TriageResult:
    """Ingest, analyse and label one PDF; raises BadInputError/Cancelled after recording the status.
    `ocr`: read SoE-like pages without a text layer with local OCR (Settings.read_scanned_pages);
    `second_look`: pages examined beyond the screen (Settings.second_look_pages)."""
    progress = progress or no_progress
    started = time.perf_counter()
    document = open_document(path)  # bad input raises here, before anything is stored
    documents_dir = Path(documents_dir or Settings().documents_dir)
    stored_path = keep_copy(Path(path), documents_dir, document.sha256)
    is_new = store.add_document(document, str(stored_path), Path(path).name)
    existing = store.document(document.sha256)
    if not is_new and existing and existing.get("status") in FINISHED:
        return _stored_result(store, document.sha256)
    recorder = _StatusRecorder(store, document.sha256, progress)
    try:
        analysis = analyse(stored_path, recorder, cancel, ocr=ocr, second_look=second_look)
        labeler = labeler or default_labeler()
        labels = label_candidates(analysis, labeler, recorder, cancel)
        with store.transaction():  # pages, candidates and labels land together or not at all
            store.add_pages(document.sha256, analysis.pages)
            store.replace_candidates(document.sha256, analysis.candidates)
            store.add_labels(labels)
    except Cancelled:
        store.set_status(document.sha256, "cancelled")
        raise
    except SoeError as error:
        store.set_status(document.sha256, "error", str(error))
        raise
    except Exception as error:  # an unexpected bug must not take the queue down with it
        store.set_status(document.sha256, "error", f"unexpected error: {error}")
        raise
    store.set_status(document.sha256, "needs review")
    return TriageResult(analysis, labels, labeler.name, time.perf_counter() - started)
