"""One PDF from bytes to candidate tables, before any labeler looks at them.

read pages (pypdfium2) -> page features and screen -> table detection on screened pages only.
Keeping the expensive detectors off most pages is what keeps triage fast. A page that is SoE on
its own is detected while the pages after it are still being read (streaming.py), so a viewer
draws its box within a fraction of a second; the result does not change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from soe_desktop.core.jobs import CancelToken, ProgressCallback, check, no_progress
from soe_desktop.core.model import Candidate, Document, PageText
from soe_desktop.core.pdf import features
from soe_desktop.core.pdf.candidates import find_candidates
from soe_desktop.core.pdf.ingest import open_document
from soe_desktop.core.pdf.ocr import screen_with_ocr
from soe_desktop.core.pdf.streaming import read_with_early_detection
from soe_desktop.core.settings import SECOND_LOOK_PAGES, Settings


@dataclass(frozen=True)
class AnalysisOptions:
    """How a document is analysed: what the settings decide plus, for cross-validation and
    benchmarks, the page model (None = the shipped one)."""

    ocr: bool = True  # read SoE-like pages without a text layer with local OCR
    second_look: int = SECOND_LOOK_PAGES  # text pages examined beyond the screen (look-alikes)
    page_model: Any = None

    @classmethod
    def from_settings(cls, settings: Settings, ocr: bool = True) -> "AnalysisOptions":
        """The user's settings; `ocr=False` turns OCR off for one run (`--no-ocr`)."""
        return cls(ocr=settings.read_scanned_pages and ocr, second_look=settings.second_look_pages)


@dataclass
class Analysis:
    """Everything found in one PDF before any labeler looked at it."""

    document: Document
    pages: list[PageText]
    candidates: list[Candidate]
    page_scores: list[float] = field(default_factory=list)
    second_looked: list[int] = field(default_factory=list)  # pages examined beyond the screen
    opened: list[int] = field(default_factory=list)  # pages the screen opened for table detection
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per step: reading, screen, detecting

    @property
    def text_less_pages(self) -> list[int]:
        return [page.number for page in self.pages if not page.has_text_layer]

    @property
    def ocr_pages(self) -> list[int]:
        return [page.number for page in self.pages if page.ocr]


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
    options: AnalysisOptions = AnalysisOptions(),
    document: Optional[Document] = None,
    pdf=None,
) -> Analysis:
    """Page text (OCR of pages without a text layer when `options.ocr` and the optional engine is
    installed), cheap page screen, then table detection on the screened pages and, last, on the
    `options.second_look` text pages the screen came closest to opening (look-alikes a student
    learns from). `document` and `pdf` (its pypdfium2 handle, left open): the file already
    fingerprinted and opened by the caller, so an ingest hashes and opens each file once.

    Pages that are SoE on their own are detected while the others are still being read (the
    streaming screen): their boxes reach a viewer within a fraction of a second, and the full
    pass reuses them, so the result is the same as detecting everything after reading.
    """
    progress = progress or no_progress
    clock = _StepClock()
    document = document or open_document(path)
    stream = read_with_early_detection(path, document, progress, cancel, model=options.page_model, pdf=pdf)
    pages = stream.pages
    check(cancel)
    clock.lap("reading")
    page_features, scores = screen_with_ocr(path, pages, stream.singles, options.ocr, model=options.page_model,
                                            progress=progress, cancel=cancel, sha256=document.sha256)
    table_pages, fallback_pages, looked = features.pages_to_examine(pages, scores, options.second_look)
    clock.lap("screen")  # includes OCR of the pictured pages the screen would open
    candidates = find_candidates(path, document, pages, table_pages, fallback_pages, progress, cancel,
                                 found_early=stream.early, alone=looked)
    attach_page_features(candidates, page_features, scores)
    clock.lap("detecting")
    opened = sorted((set(table_pages) | set(fallback_pages)) - set(looked))
    return Analysis(document=document, pages=pages, candidates=candidates, page_scores=list(scores),
                    second_looked=sorted(looked), opened=opened, seconds=clock.laps)


class _StepClock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = now - self._last
        self._last = now
