"""Read pages that have no text layer with local OCR (RapidOCR on onnxruntime, no network).

Why: some SoE pages in real protocols are scanned inserts with no text layer. Without their text
only neighbour cues can find them, and those cannot tell a pictured SoE from a pictured
questionnaire next to it. OCR gives such a page its words back: the page screen then scores it
like any other page, and its candidate gets rows of cells (one OCR box per cell), so the teacher's
grid vote sees the marks. RapidOCR ships its models inside the wheel and runs them with onnxruntime:
everything stays on this machine. Optional (`pip install soe-desktop[ocr]`, part of `[all]`):
without it, text-less pages are handled from their neighbours' cues as before.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import os
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.model import BBox, PageText
from soe_desktop.core.pdf import features
from soe_desktop.core.pdf.contain import contained
from soe_desktop.core.pdf.ingest import open_pdfium
from soe_desktop.core.pdf.limits import NO_BUDGET

# 100 dpi gives the same page features as 150 on the pictured pages of the dev corpus (marks,
# visit and procedure cues) in ~3 s a page on 2 CPU cores instead of ~4.5. Pages are rendered as
# displayed, so the text-direction classifier is left out.
OCR_DPI = 100
USE_CLS = False
# A protocol with a long scanned appendix (case report forms, questionnaires) would otherwise
# spend minutes here: the pipeline asks only for the text-less pages its screen would open anyway,
# most SoE-like first, and at most this many.
MAX_OCR_PAGES = 20
# OCR rows kept in memory per (document sha256, page, dpi), in insertion order.
MAX_REMEMBERED_PAGES = 256
_READ: dict[tuple[str, int, int], list[list[str]]] = {}
_READ_LOCK = threading.Lock()
# Boxes whose vertical centres lie within this share of the median box height form one line.
SAME_LINE_SHARE = 0.6


@dataclass(frozen=True)
class OcrBox:
    """One recognised text box: its words, its displayed top-left box in points, the recogniser's score."""

    text: str
    bbox: BBox
    score: float

    @property
    def centre_y(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


def ocr_available() -> bool:
    """True when the optional OCR engine is installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr", "onnxruntime"))


@functools.lru_cache(maxsize=1)
def _engine():
    """The recogniser, built once per process (loading its three ONNX models takes ~0.5 s)."""
    from rapidocr import RapidOCR

    # At log level "info" it logs every model file it opens.
    params = {"Global.log_level": "warning", "Global.use_cls": USE_CLS}
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if threads.isdigit() and int(threads) >= 1:  # onnxruntime ignores it: a Dask worker sets 1 (soe batch)
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(threads)
    return RapidOCR(params=params)


def recognise_page(pdf, index: int, dpi: int = OCR_DPI) -> list[OcrBox]:
    """OCR of page `index` (0-based) of an open pdfium document, as displayed (after /Rotate)."""
    import numpy as np

    page = pdf[index]
    try:
        image = page.render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        page.close()
    found = _engine()(np.asarray(image))
    if found.boxes is None:  # nothing recognised (a blank or purely graphic page)
        return []
    to_points = 72 / dpi
    boxes = []
    for corners, text, score in zip(found.boxes.tolist(), found.txts, found.scores):
        xs, ys = [point[0] for point in corners], [point[1] for point in corners]
        bbox = (min(xs) * to_points, min(ys) * to_points, max(xs) * to_points, max(ys) * to_points)
        if text.strip():
            boxes.append(OcrBox(text.strip(), tuple(round(v, 2) for v in bbox), float(score)))
    return boxes


def ocr_rows(boxes: Sequence[OcrBox]) -> list[list[str]]:
    """Rows of cells: boxes on one line (close vertical centres), left to right; lines top to bottom."""
    if not boxes:
        return []
    tolerance = SAME_LINE_SHARE * statistics.median(max(b.bbox[3] - b.bbox[1], 1.0) for b in boxes)
    lines: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: b.centre_y):
        if lines and abs(box.centre_y - statistics.fmean(b.centre_y for b in lines[-1])) <= tolerance:
            lines[-1].append(box)
        else:
            lines.append([box])
    return [[box.text for box in sorted(line, key=lambda b: b.bbox[0])] for line in lines]


def rows_text(rows: Sequence[Sequence[str]]) -> str:
    """Page text in reading order, one line per row, as the page features expect from a text layer."""
    return "\n".join(" ".join(cells) for cells in rows)


def _page_rows(pdf, number: int, sha256: str) -> list[list[str]]:
    """OCR rows of one page, remembered per document fingerprint: re-analysing a document (a new
    labeler, a reprocess, the stored copy of a dropped file) does not pay for OCR again."""
    key = (sha256, number, OCR_DPI)
    with _READ_LOCK:  # documents are analysed on worker threads
        if sha256 and key in _READ:
            return _READ[key]
    rows = ocr_rows(recognise_page(pdf, number - 1))
    if sha256:
        with _READ_LOCK:
            _READ[key] = rows
            while len(_READ) > MAX_REMEMBERED_PAGES:
                _READ.pop(next(iter(_READ)))  # oldest first
    return rows


# Rounds of "read the pictured pages next to SoE-like pages, rescore": a run of pictured pages
# grows by a page on each side per round, so this bounds the longest run read from one text page.
MAX_OCR_ROUNDS = 8
READ_NOTE = "read by OCR"


def needs_ocr(page: PageText) -> bool:
    """Pictured (no text layer, or one covering little of the page's ink: coverage.py, whatever its
    character count) and not read yet."""
    return not page.ocr and not page.unreadable and (page.pictured or not page.has_text_layer)


def _read_note(page: PageText) -> str:
    """The page's reading note once OCR read it ('pictured: 11 characters over 0.4 % of the ink; read by OCR')."""
    return f"{page.reading}; {READ_NOTE}" if page.reading else f"pictured; {READ_NOTE}"


def read_text_less_pages(
    path: str | Path,
    pages: list[PageText],
    numbers: Sequence[int],
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    limit: int = MAX_OCR_PAGES,
    sha256: str = "",
) -> list[int]:
    """OCR the pages among `numbers` (1-based, first `limit`) that have no text layer or almost none,
    in place; returns those read.

    A page read this way keeps its `has_text_layer` and gets `ocr` True, the recognised text (which
    holds what little text layer it had) and its rows. Reports Progress("reading", n, total) per
    page; stops with Cancelled. A page the engine fails on is marked unreadable (contain.py).
    Nothing happens when the optional engine is not installed.
    `sha256`: the document's fingerprint, to reuse pages this process has already read.
    """
    progress = progress or no_progress
    todo = [number for number in dict.fromkeys(numbers) if needs_ocr(pages[number - 1])][:limit]
    if not todo or not ocr_available():
        return []
    pdf = open_pdfium(path)
    read = []
    try:
        for done, number in enumerate(todo, start=1):
            check(cancel)
            rows = contained(pages, number, NO_BUDGET, "OCR", lambda: _page_rows(pdf, number, sha256), None)
            if rows is None:  # rendering or the recogniser failed: the page is marked unreadable
                continue
            page = pages[number - 1]
            pages[number - 1] = dataclasses.replace(page, text=rows_text(rows), ocr=True, ocr_rows=rows,
                                                    pictured=True, reading=_read_note(page))
            read.append(number)
            # Part of reading the document (the GUI's status for it), told apart by the message.
            progress(Progress("reading", done, len(todo), message=f"page {number}: text read by OCR"))
    finally:
        pdf.close()
    return read


def _next_to_soe_like(pages: Sequence[PageText], scores: Sequence[float]) -> set[int]:
    """Pages (1-based) beside a page the table screen would open: a run of pictured pages continues
    the table on either side of its text page (pictured, pictured, pictured, text, pictured)."""
    near = set()
    for page, score in zip(pages, scores):
        if score >= features.TABLE_PAGE_THRESHOLD:
            near.update(number for number in (page.number - 1, page.number + 1) if 1 <= number <= len(pages))
    return near


def pictured_pages_to_read(pages: Sequence[PageText], scores: Sequence[float]) -> list[int]:
    """Unread pictured pages the screen would open, or beside a page it would open as a table page,
    most SoE-like first."""
    near = _next_to_soe_like(pages, scores)
    wanted = [page.number for page, score in zip(pages, scores)
              if needs_ocr(page) and (score >= features.FALLBACK_PAGE_THRESHOLD or page.number in near)]
    return sorted(wanted, key=lambda number: (-scores[number - 1], number))


def read_pictured_pages(
    path: str | Path,
    pages: list[PageText],
    singles: list[dict[str, float]],
    scores: Sequence[float],
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    sha256: str = "",
    limit: int = MAX_OCR_PAGES,
) -> list[int]:
    """OCR the pictured pages that the screen would open or that sit beside a page it would open as a
    table page (most SoE-like first, at most `limit`), in place, and refresh their own features in
    `singles`; the other pages are never read. Their score comes from their neighbours' cues, so
    the page model must be fitted on the text layer alone (evaluation/page_model_fit.extract).
    Returns the pages read (none without the engine): the caller then recomputes the page features
    and scores."""
    read = read_text_less_pages(path, pages, pictured_pages_to_read(pages, scores), progress, cancel,
                                limit=limit, sha256=sha256)
    for number in read:
        singles[number - 1] = features.single_page_features(pages[number - 1])
    return read


def screen_with_ocr(
    path: str | Path,
    pages: list[PageText],
    singles: list[dict[str, float]],
    ocr: bool = True,
    model=None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    sha256: str = "",
) -> tuple[list[dict[str, float]], list[float]]:
    """Page features and screen scores of a document whose pages' own features are `singles`, after
    reading by OCR (when `ocr`) the pictured pages the screen would open: the pipeline, the page
    model's fit and the tests all take these steps in this order. `model`: the page model (default
    the shipped one).

    OCR and scoring alternate: a page read and found SoE-like makes the pictured pages beside it
    worth reading, so a run of pictured pages is read outwards from its text page in both
    directions, round after round, until nothing new is read or the document's MAX_OCR_PAGES are spent.
    """
    page_features = features.page_features_from_singles(singles)
    scores = features.page_scores(pages, page_features, model=model)
    budget = MAX_OCR_PAGES
    for _ in range(MAX_OCR_ROUNDS if ocr else 0):
        read = read_pictured_pages(path, pages, singles, scores, progress, cancel, sha256, limit=budget)
        if not read:
            break
        budget -= len(read)
        page_features = features.page_features_from_singles(singles)
        scores = features.page_scores(pages, page_features, model=model)
        if budget <= 0:
            break
    return page_features, scores
