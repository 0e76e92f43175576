"""The characters of one page through pypdfium2: text, displayed box and printed size.

Why characters and not pdfium's bounded text: the size tells a footnote marker from the word it
is glued to ("Screening" at 9 pt + "a" at 6 pt reads "Screeninga" as text). The size is the font
size times the text matrix' vertical scale, so it is the same for text drawn sideways. Reading all
of a dense page costs ~10 ms.
"""

from __future__ import annotations

import ctypes
import math
import statistics
from dataclasses import dataclass
from typing import Sequence

import pypdfium2.raw as pdfium_c

from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.rotation import PageFrame

SLANT_SHARE = 0.2  # sin of ~12 degrees: glyphs turned further off the axes are a watermark
SMALL_SHARE = 0.85  # a character under this share of the body size is printed small (a superscript)


@dataclass(frozen=True)
class Char:
    text: str
    bbox: BBox  # displayed, top-left; for generated characters the previous character's box
    size: float
    generated: bool  # a space or line break pdfium inferred from the layout

    @property
    def centre(self) -> tuple[float, float]:
        return (self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2


def page_chars(textpage, frame: PageFrame) -> list[Char]:
    """Every character of the page in pdfium's reading order."""
    raw = textpage.raw
    matrix = pdfium_c.FS_MATRIX()
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    chars: list[Char] = []
    previous: BBox = (0.0, 0.0, 0.0, 0.0)
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        generated = bool(pdfium_c.FPDFText_IsGenerated(raw, index))
        text = chr(code) if code else ""
        if generated:
            chars.append(Char(text, previous, 0.0, True))  # "\r", "\n" or " ": kept to split lines
            continue
        pdfium_c.FPDFText_GetCharBox(raw, index, *(ctypes.byref(v) for v in (left, right, bottom, top)))
        pdfium_c.FPDFText_GetMatrix(raw, index, ctypes.byref(matrix))
        if _slanted(matrix):
            continue  # a diagonal watermark ("CONFIDENTIAL") drawn over the grid is not cell text
        size = pdfium_c.FPDFText_GetFontSize(raw, index) * math.hypot(matrix.c, matrix.d)
        box = frame.to_displayed(left.value, bottom.value, right.value, top.value)
        previous = box
        chars.append(Char(text, box, float(size), False))
    return chars


def _slanted(matrix) -> bool:
    """Text neither upright nor turned a quarter: both axes of the glyph matrix are mixed."""
    scale = math.hypot(matrix.a, matrix.b) or 1.0
    return min(abs(matrix.a), abs(matrix.b)) > SLANT_SHARE * scale


def body_size(chars: Sequence[Char]) -> float:
    """The most common printed size of the visible characters (the table's body text)."""
    sizes = [round(char.size, 1) for char in chars if not char.generated and char.text.strip()]
    return statistics.mode(sizes) if sizes else 0.0


def runs_of(chars: Sequence[Char], body: float) -> list[tuple[str, bool]]:
    """Consecutive characters of the same kind (small or not) joined into (text, small) runs."""
    runs: list[tuple[str, bool]] = []
    for char in chars:
        # Spaces are never small: a marker is the visible characters printed small.
        small = not char.generated and bool(char.text.strip()) and 0 < char.size < SMALL_SHARE * body
        if runs and runs[-1][1] == small:
            runs[-1] = (runs[-1][0] + char.text, small)
        else:
            runs.append((char.text, small))
    return runs
