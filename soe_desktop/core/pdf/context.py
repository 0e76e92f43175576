"""The page context of the `text` representation: section heading, caption, lines around the table.

Why: a grid alone is ambiguous (a dosing table looks like a schedule); the words around it
("1.3 Schedule of Activities", "Table 4 Laboratory parameters") carry much of the decision,
and continuation pages inherit the heading of the page where the section started.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from soe_desktop.core.model import BBox, PageText
from soe_desktop.core.pdf.cells import bounded_text, clean
from soe_desktop.core.pdf.rotation import DOWN_THE_PAGE, UP_THE_PAGE, PageFrame

MAX_CONTEXT_CHARS = 1500
LINES_AROUND = 3
MAX_LINE_CHARS = 200
HEADING_LOOKBACK_PAGES = 3

# "1.3 Schedule of Activities", "10.2. APPENDIX 2", "SECTION 4 STUDY DESIGN", "Appendix B Schedule"
_HEADING = re.compile(
    r"^(?:(?i:section|appendix|annex|attachment)\s+[\dA-Z]+[.:]?\s+\S"
    r"|\d{1,2}(?:\.\d{1,2}){0,4}\.?\s+[A-Z][A-Za-z][^.]{1,90}$)"
)
# "Table 1 ...", "Table 10.2-3: ...", "Figure A1 ..." (a number, not a word: "Table of contents" is no caption)
_CAPTION = re.compile(r"^(?i:table|figure|exhibit)\s+(?:\d[\w.\-]*|[A-Z]\d*(?:[.\-]\d+)*)[.:]?(?:\s|$)")
_TOC_LEADER = re.compile(r"\.{4,}|(?:\. ){3,}|\s\d+$")


def lines_of(text: str) -> list[str]:
    return [line for line in (clean(part)[:MAX_LINE_CHARS] for part in text.splitlines()) if line]


def is_heading(line: str) -> bool:
    return len(line) <= 100 and bool(_HEADING.match(line)) and not _TOC_LEADER.search(line)


def is_caption(line: str) -> bool:
    return len(line) <= MAX_LINE_CHARS and bool(_CAPTION.match(line))


def last_heading(lines: Sequence[str]) -> Optional[str]:
    return next((line for line in reversed(lines) if is_heading(line)), None)


def inherited_heading(pages: Sequence[PageText], page_number: int) -> Optional[str]:
    """The last section heading on the few pages before `page_number` (1-based)."""
    for number in range(page_number - 1, max(0, page_number - 1 - HEADING_LOOKBACK_PAGES), -1):
        heading = last_heading(lines_of(pages[number - 1].text)) if number - 1 < len(pages) else None
        if heading:
            return heading
    return None


def regions_around(bbox: BBox, direction: int, width: float, height: float) -> tuple[BBox, BBox]:
    """Displayed boxes of what reads 'above' and 'below' the table, given its text direction."""
    x0, top, x1, bottom = bbox
    if direction == UP_THE_PAGE:  # the table's top faces the page's left edge
        return (0.0, 0.0, x0, height), (x1, 0.0, width, height)
    if direction == DOWN_THE_PAGE:
        return (x1, 0.0, width, height), (0.0, 0.0, x0, height)
    return (0.0, 0.0, width, top), (0.0, bottom, width, height)


def _region_lines(textpage, frame: PageFrame, box: BBox) -> list[str]:
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        return []
    return lines_of(bounded_text(textpage, frame, box))


def compose(
    heading: Optional[str],
    caption: Optional[str],
    above: Sequence[str],
    below: Sequence[str],
    note: str = "",
    names: tuple[str, str] = ("Above", "Below"),
) -> str:
    """Join the pieces, most informative first, under MAX_CONTEXT_CHARS."""
    parts = [note] if note else []
    if heading:
        parts.append(f"Section: {heading}")
    if caption and caption != heading:
        parts.append(f"Caption: {caption}")
    above = [line for line in above if line not in (heading, caption)]
    if above:
        parts.append(f"{names[0]}: " + " / ".join(above))
    if below:
        parts.append(f"{names[1]}: " + " / ".join(below))
    return "\n".join(parts)[:MAX_CONTEXT_CHARS]


def reading_line(page: PageText) -> str:
    """'Reading: pictured: 11 characters over 0.4 % of the ink; read by OCR' when the page's reading
    is uncertain ('' for a plain text page): the first line of its candidates' context, so a
    reviewer and the labelers see why the words may be wrong."""
    return f"Reading: {page.reading}" if page.reading else ""


def table_context(
    textpage, frame: PageFrame, bbox: BBox, direction: int, pages: Sequence[PageText], page_number: int
) -> str:
    """Reading note, heading, caption and the lines just above and below a table on its page."""
    width, height = frame.displayed_size
    above_box, below_box = regions_around(bbox, direction, width, height)
    above, below = _region_lines(textpage, frame, above_box), _region_lines(textpage, frame, below_box)
    heading = last_heading(above) or inherited_heading(pages, page_number)
    caption = next((line for line in reversed(above) if is_caption(line)), None)
    caption = caption or next((line for line in below[:LINES_AROUND] if is_caption(line)), None)
    note = reading_line(pages[page_number - 1]) if page_number - 1 < len(pages) else ""
    return compose(heading, caption, above[-LINES_AROUND:], below[:LINES_AROUND], note)


def page_context(pages: Sequence[PageText], page_number: int, note: str = "") -> str:
    """Context of a whole-page candidate: its reading note and `note`, heading and caption, and for a
    page without text (whose rows are empty) the edges of the neighbouring pages, the only clue left."""
    note = "\n".join(part for part in (reading_line(pages[page_number - 1]), note) if part)
    lines = lines_of(pages[page_number - 1].text)
    heading = last_heading(lines) or inherited_heading(pages, page_number)
    caption = next((line for line in lines if is_caption(line)), None)
    if lines:
        return compose(heading, caption, [], [], note)
    before = lines_of(pages[page_number - 2].text)[-LINES_AROUND:] if page_number >= 2 else []
    after = lines_of(pages[page_number].text)[:LINES_AROUND] if page_number < len(pages) else []
    return compose(heading, caption, before, after, note, ("Previous page ends", "Next page starts"))
