"""A whole-page candidate added by a person: a page they say holds an SoE where every finder missed.

Why: a missed table has no candidate, so a human verdict on its page had nothing to attach to and
the student never learnt from it. The candidate is the page (bbox = the page as displayed), its
rows the page text (one row per line, cells split at runs of spaces) and it carries the same
layout cues as a found candidate, so the student sees it like any other.
"""

from __future__ import annotations

import re
from typing import Sequence

from soe_desktop.core.model import Candidate, Detector, PageText
from soe_desktop.core.pdf.context import page_context
from soe_desktop.core.pdf.features import candidate_page_features, page_features, page_scores
from soe_desktop.core.pdf.table_cues import table_cues

CELL_BREAK = re.compile(r"\t+| {2,}")


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


def whole_page_candidate(sha256: str, pages: Sequence[PageText], number: int, note: str = "") -> Candidate:
    """The manual candidate of page `number` (1-based) of the document whose stored pages are `pages`."""
    if not 1 <= number <= len(pages):
        raise ValueError(f"page {number} is outside the document (1-{len(pages)})")
    page = pages[number - 1]
    rows = rows_from_text(page.text)
    features = {**table_cues(rows), "fallback": 1.0, "whole_page": 1.0, "ocr": float(page.ocr)}
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
