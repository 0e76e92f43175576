"""A whole-page candidate added by a person: a page they say holds an SoE where every finder missed.

Why: a missed table has no candidate, so a human verdict on its page had nothing to attach to and
the student never learnt from it. The candidate is the page (bbox = the page as displayed), its
rows the page text (one row per line, cells split at runs of spaces) and it carries the same
layout cues as a found candidate, so the student sees it like any other.

Its page's reading is decided again from the PDF when the file is at hand (the store keeps a page's
text and OCR flag, not its reading note), with the functions the pipeline uses (pages.py, the
redaction measure): a pictured or sideways page, or one whose drawing is mostly blacked out, gets
the same `reading_uncertain` / `redacted` features and "Reading: ..." context line as a found
candidate, so the labelers lower their confidence on it and the auto-accept rule leaves it alone.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Mapping, Optional, Sequence

from soe_desktop.core.errors import SoeError
from soe_desktop.core.model import BBox, Candidate, Detector, PageText
from soe_desktop.core.pdf.candidates import READING_UNCERTAIN, REDACTED, PageReader
from soe_desktop.core.pdf.context import page_context
from soe_desktop.core.pdf.features import candidate_page_features, page_features, page_scores
from soe_desktop.core.pdf.ocr import READ_NOTE
from soe_desktop.core.pdf.pages import read_page
from soe_desktop.core.pdf.redaction import REDACTED_SHARE, dark_boxes, dark_fill_share
from soe_desktop.core.pdf.table_cues import table_cues

log = logging.getLogger(__name__)

CELL_BREAK = re.compile(r"\t+| {2,}")
DRAWN = ("char", "rect", "line", "curve", "image")  # pdfplumber's object kinds that put ink on a page
# A redaction removes the words it covers; a table drawn black under white cells keeps them on top.
# Share of a page's characters on its dark fills: 0 on the redacted SoE pages of the dev corpus and
# on the generated ones, 0.59-0.89 on the SoE pages of two protocols whose grids are drawn that way
# (which the blacked-out share alone, 0.60-0.75, would have called redacted).
MAX_TEXT_ON_DARK = 0.05


def manual_candidate_id(sha256: str, page: int) -> str:
    """One manual candidate per page; the id cannot clash with a finder's (`-t<index>`)."""
    return f"{sha256[:12]}-p{page:04d}-manual"


def rows_from_text(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in CELL_BREAK.split(line.strip())]
        if any(cells):
            rows.append(cells)
    return rows


def drawn_box(objects: Mapping[str, Sequence[Mapping]]) -> Optional[BBox]:
    """The box around everything drawn on a pdfplumber page (its `objects`); None on a blank page."""
    boxes = [(float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"]))
             for kind in DRAWN for o in objects.get(kind, ())]
    if not boxes:
        return None
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def redacted_share(plumber_page) -> float:
    """Share of the page's drawing blacked out (redaction.py): a whole-page candidate has no table
    body to measure, so the box around all its ink stands for it, running header and footer included.

    It is judged with the pipeline's threshold for a table body (REDACTED_SHARE), so only a page that
    is mostly blacked out is marked. Measured: 0.70 on the generated one-page redacted grids; 0.20-0.64
    on the 21 SoE pages of a dev-corpus protocol whose grid is redacted box by box (4 reach 0.6); 0.30-0.35
    on generated pages whose table body alone is blacked out under a tall header (pdfplumber finds
    their table, so they have found candidates, marked `redacted` by the pipeline's own measure).
    """
    box = drawn_box(plumber_page.objects)
    return dark_fill_share(plumber_page.rects, plumber_page.images, box) if box else 0.0


def text_on_dark(plumber_page) -> float:
    """Share (0-1) of the page's visible characters whose centre lies on a dark fill."""
    boxes = dark_boxes(plumber_page.rects, plumber_page.images)
    chars = [c for c in plumber_page.chars if c["text"].strip()]
    if not boxes or not chars:
        return 0.0
    on_dark = sum(1 for c in chars if _inside(((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2), boxes))
    return on_dark / len(chars)


def _inside(point: tuple[float, float], boxes: Sequence[BBox]) -> bool:
    x, y = point
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def is_page_redacted(plumber_page) -> tuple[bool, float]:
    """Whether the page's drawing is blacked out with its words removed, and the blacked-out share."""
    share = redacted_share(plumber_page)
    return share >= REDACTED_SHARE and text_on_dark(plumber_page) <= MAX_TEXT_ON_DARK, share


def stored_reading(page: PageText) -> str:
    """The reading note the stored page still implies: its text came by OCR, or it has no text layer."""
    if page.reading:
        return page.reading
    if page.ocr:
        return f"pictured; {READ_NOTE}"
    return "" if page.has_text_layer else "pictured: no text layer"


def reread(pdf_path: str | Path, stored: PageText) -> tuple[PageText, bool]:
    """`stored` with its reading decided again from the PDF (pictured, sideways, redacted), and
    whether its drawing is blacked out. Its text stays the stored one (OCR's, where OCR read it)."""
    number = stored.number
    with ExitStack() as stack:
        reader = PageReader(Path(pdf_path), {number}, stack)
        fresh = read_page(reader.pdfium, number - 1)
        plumber_page = reader.plumber_page(number)
        redacted, share = is_page_redacted(plumber_page) if plumber_page is not None else (False, 0.0)
    if fresh.unreadable:
        return dataclasses.replace(stored, reading=stored_reading(stored)), False
    notes = [fresh.reading] if fresh.reading else []
    if stored.ocr:
        notes.append(READ_NOTE if notes else f"pictured; {READ_NOTE}")
    if redacted:
        notes.append(f"redacted: {100 * share:.0f} % of the page's drawing blacked out")
    return dataclasses.replace(stored, direction=fresh.direction, pictured=fresh.pictured or stored.ocr,
                               reading="; ".join(notes)), redacted


def _page_as_read(pdf_path: Optional[str | Path], stored: PageText) -> tuple[PageText, bool]:
    if pdf_path is None:
        return dataclasses.replace(stored, reading=stored_reading(stored)), False
    try:
        return reread(pdf_path, stored)
    except (SoeError, OSError) as error:  # the file moved or broke since it was read: what the store says
        log.warning("page %d of %s not read again (%s); its stored reading is used", stored.number, pdf_path, error)
        return dataclasses.replace(stored, reading=stored_reading(stored)), False


def whole_page_candidate(sha256: str, pages: Sequence[PageText], number: int, note: str = "",
                         pdf_path: Optional[str | Path] = None) -> Candidate:
    """The manual candidate of page `number` (1-based) of the document whose stored pages are `pages`;
    `pdf_path`, the document's file, to decide the page's reading as the pipeline does."""
    if not 1 <= number <= len(pages):
        raise ValueError(f"page {number} is outside the document (1-{len(pages)})")
    page, redacted = _page_as_read(pdf_path, pages[number - 1])
    pages = [*pages[:number - 1], page, *pages[number:]]
    rows = rows_from_text(page.text)
    features = {**table_cues(rows), "fallback": 1.0, "whole_page": 1.0, "ocr": float(page.ocr),
                READING_UNCERTAIN: float(page.reading_uncertain), REDACTED: float(redacted)}
    page_cues = page_features(pages)
    features.update(candidate_page_features(page_cues[number - 1], page_scores(pages, page_cues)[number - 1]))
    return Candidate(
        id=manual_candidate_id(sha256, number),
        document_sha256=sha256,
        page=number,
        bbox=(0.0, 0.0, float(page.width), float(page.height)),
        detector=Detector.MANUAL,
        rows=rows,
        context=page_context(pages, number, note),
        features=features,
    )
