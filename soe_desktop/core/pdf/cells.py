"""Cell text through pypdfium2, one bounded-text call per cell.

Why pdfium and not pdfplumber's `extract()`: measured on the SoE pages of two corpus
protocols, pdfium costs 5.8 ms/page against pdfplumber's 14.8 (Pfizer, 1289 cells) and 11.3
against 18.6 (Novo, 3400 cells), and it reads grids drawn turned inside the page in the right
order where pdfplumber returns "dnE fo lairt" for "End of trial".
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.rotation import PageFrame

_SPACES = re.compile(r"\s+")


def clean(text: Optional[str]) -> str:
    """One line per cell: pdfium ends lines with \\r\\n and pads with spaces."""
    return _SPACES.sub(" ", text or "").strip()


def bounded_text(textpage, frame: PageFrame, bbox: BBox) -> str:
    left, bottom, right, top = frame.to_user(bbox)
    return textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=top)


def read_rows(textpage, frame: PageFrame, grid: Sequence[Sequence[Optional[BBox]]]) -> list[list[str]]:
    """Rows of trimmed cell strings; a slot covered by a spanning cell reads as ""."""
    return [[clean(bounded_text(textpage, frame, cell)) if cell else "" for cell in row] for row in grid]


def drop_empty_lines(rows: list[list[str]]) -> list[list[str]]:
    """Drop rows and columns without any text: lattice grids split spanning cells into
    empty slots, which would only make the json representation longer."""
    rows = [row for row in rows if any(row)]
    width = max((len(row) for row in rows), default=0)
    keep = [j for j in range(width) if any(j < len(row) and row[j] for row in rows)]
    return [[row[j] if j < len(row) else "" for j in keep] for row in rows]
