"""Candidate groups: one table continuing over several pages shares one `group` id.

Why: SoE grids run over up to ~20 pages in real protocols, with footnote-only pages and
scanned (image-only) pages in between; a labeler and a reviewer should see them as one table.
Two tables link when they sit on consecutive pages (skipping footnote-only pages) and have the
same column count or the same header row. A whole-page candidate (a page without text, which
the page screen called SoE-like) joins the grid next to it: a scanned continuation.
"""

from __future__ import annotations

import re
from typing import Collection, Optional, Sequence

from soe_desktop.core.model import Candidate, Detector, PageText

MAX_SKIPPED_PAGES = 2
FOOTNOTE_LINE_SHARE = 0.5
FOOTNOTE_PAGE_MAX_LINES = 60
WHOLE_PAGE = Detector.FALLBACK_PAGE
TEXT_BLOCK = Detector.FALLBACK_TEXT
SAME_WIDTH = 0.95
PAGE_EDGE_SHARE = 0.8

# "a. ...", "b ...", "1. ...", "* ...", "(c) ...", "¹ ..."
_FOOTNOTE_LINE = re.compile(
    r"^(?:[a-z]{1,2}[.)]?\s|\d{1,2}[.)]?\s|[*†‡§¶#]+\s?|\([a-z0-9]{1,2}\)\s?|[¹²³⁴⁵⁶⁷⁸⁹⁰ᵃᵇᶜᵈᵉ])"
)
_ABBREVIATIONS = re.compile(r"\babbreviations?\b|\bnotes?\s*:", re.IGNORECASE)


def is_footnote_page(page: PageText) -> bool:
    """A page of table footnotes (or an abbreviation list) with no table body."""
    lines = [line.strip() for line in page.text.splitlines() if line.strip()]
    if not lines or len(lines) > FOOTNOTE_PAGE_MAX_LINES:
        return False
    noted = sum(bool(_FOOTNOTE_LINE.match(line)) for line in lines)
    return noted / len(lines) >= FOOTNOTE_LINE_SHARE or bool(_ABBREVIATIONS.search(page.text[:400]))


HEADER_CELLS = 4


def _header(candidate: Candidate) -> tuple[str, ...]:
    """The first filled cells of the first row with two or more: repeated header rows match
    even when empty columns were dropped differently on each page."""
    row = next((row for row in candidate.rows if sum(bool(cell) for cell in row) >= 2), [])
    return tuple(cell.lower() for cell in row if cell)[:HEADER_CELLS]


def _n_cols(candidate: Candidate) -> int:
    return max((len(row) for row in candidate.rows), default=0)


def _runs_over_page_break(previous: Candidate, current: Candidate, pages: Sequence[PageText]) -> bool:
    """The earlier table fills its page to the bottom, the later one starts at the top, and both
    span the same width: a grid whose continuation pages repeat no header row."""
    x_overlap = min(previous.bbox[2], current.bbox[2]) - max(previous.bbox[0], current.bbox[0])
    x_span = max(previous.bbox[2], current.bbox[2]) - min(previous.bbox[0], current.bbox[0])
    same_width = x_span > 0 and x_overlap / x_span >= SAME_WIDTH
    reaches_bottom = previous.bbox[3] >= PAGE_EDGE_SHARE * pages[previous.page - 1].height
    starts_at_top = current.bbox[1] <= (1 - PAGE_EDGE_SHARE) * pages[current.page - 1].height
    return same_width and reaches_bottom and starts_at_top


def continues(previous: Candidate, current: Candidate, pages: Sequence[PageText]) -> bool:
    """Same column count, same header row, or one grid running over the page break; a
    whole-page candidate (no rows) always fits."""
    if WHOLE_PAGE in (previous.detector, current.detector):
        return True
    from_text = TEXT_BLOCK in (previous.detector, current.detector)  # its column count is a guess
    same_cols = not from_text and _n_cols(previous) == _n_cols(current) and _n_cols(current) >= 2
    same_header = bool(_header(current)) and _header(previous) == _header(current)
    return same_cols or same_header or _runs_over_page_break(previous, current, pages)


def _is_bridge(page: PageText, tail: Optional[Candidate]) -> bool:
    """A page a table run may skip: footnotes only, with no candidate or just its text block."""
    return (tail is None or tail.detector == TEXT_BLOCK) and is_footnote_page(page)


def _previous_link(
    current: Candidate, tails: dict[int, Candidate], pages: Sequence[PageText]
) -> Optional[Candidate]:
    """The last candidate of the nearest earlier page, across at most MAX_SKIPPED_PAGES bridges."""
    for page_number in range(current.page - 1, max(0, current.page - 2 - MAX_SKIPPED_PAGES), -1):
        tail = tails.get(page_number)
        if not _is_bridge(pages[page_number - 1], tail):
            return tail
    return None


def assign_groups(candidates: list[Candidate], pages: Sequence[PageText],
                  alone: Collection[int] = ()) -> list[Candidate]:
    """Set `group` on every candidate (in place) and return them in page order.

    Candidates on `alone` pages (the pipeline's second look: pages the screen did not open) stay
    groups of one and break a run as a page without a candidate would: their text block must not
    join a neighbouring SoE grid and drag its mean P(SoE) down, or be lifted to it."""
    ordered = sorted(candidates, key=lambda c: (c.page, c.bbox[1], c.bbox[0]))
    first_on_page: dict[int, Candidate] = {}
    tails: dict[int, Candidate] = {}  # the last (lowest) candidate of each page
    for candidate in ordered:
        if candidate.page not in alone:
            first_on_page.setdefault(candidate.page, candidate)
            tails[candidate.page] = candidate
    last_grid: dict[str, Candidate] = {}  # compare with the last real grid, not a picture page
    for candidate in ordered:
        candidate.group = candidate.id
        if first_on_page.get(candidate.page) is candidate:
            link = _previous_link(candidate, tails, pages)
            if link is not None and continues(last_grid.get(link.group, link), candidate, pages):
                candidate.group = link.group
        if candidate.detector != WHOLE_PAGE:
            last_grid[candidate.group] = candidate
    return ordered
