"""Triage: analyse and label one PDF without touching the library (`soe triage`, the app's sample)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.labeling.heuristic import HeuristicTeacher
from soe_desktop.core.model import Candidate, Document, Label, soe_pages_of
from soe_desktop.core.pdf.analysis import Analysis, AnalysisOptions, analyse


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
        """The `soe triage --json` contract (README): add keys, never rename."""
        labels = {label.candidate_id: label for label in self.labels}
        return {
            "document": {**document_json(self.document), "repaired": self.analysis.repaired},
            "labeler": self.labeler,
            "candidates": [_candidate_json(c, labels.get(c.id)) for c in self.candidates],
            "soe_pages": self.soe_pages(),
            "text_less_pages": self.analysis.text_less_pages,
            "ocr_pages": self.analysis.ocr_pages,
            # Pages skipped (pdfium cannot load them, their finders or OCR failed or ran out of time).
            "unreadable_pages": self.analysis.unreadable_pages,
            "unreadable_reasons": {str(page.number): page.unreadable for page in self.analysis.pages
                                   if page.unreadable},
            "seconds": round(self.seconds, 3),
        }


def document_json(document: Document) -> dict:
    """The `document` object of every JSON contract (triage, grid)."""
    return {"path": document.path, "sha256": document.sha256, "pages": document.page_count}


def _candidate_json(candidate: Candidate, label: Optional[Label]) -> dict:
    return {
        "id": candidate.id,
        "page": candidate.page,
        "bbox": [round(v, 1) for v in candidate.bbox],
        "group": candidate.group,
        "detector": str(candidate.detector),
        "is_soe": None if label is None else label.is_soe,
        "confidence": None if label is None else round(label.confidence, 4),
        "source": None if label is None else label.source,
    }


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
    options: AnalysisOptions = AnalysisOptions(),
) -> TriageResult:
    """Analyse and label one PDF without touching the store; the offline teacher by default."""
    started = time.perf_counter()
    labeler = labeler or HeuristicTeacher()
    analysis = analyse(path, progress, cancel, options)
    labels = label_candidates(analysis, labeler, progress, cancel)
    return TriageResult(analysis, labels, labeler.name, time.perf_counter() - started)
