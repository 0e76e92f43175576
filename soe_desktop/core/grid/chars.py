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
from typing import Callable, Optional, Sequence

import pypdfium2.raw as pdfium_c

from soe_desktop.core.grid.symbols import SYMBOL_FONT_FIRST, SYMBOL_FONT_LAST, symbol_text
from soe_desktop.core.model import BBox
from soe_desktop.core.pdf.rotation import PageFrame

SLANT_SHARE = 0.2  # sin of ~12 degrees: glyphs turned further off the axes are a watermark
SMALL_SHARE = 0.85  # a character under this share of the body size is printed small (a superscript)
NEAR_SHARE = 0.97  # under this share a character is smaller than the body; a marker when raised
RAISED_SHARE = 0.12  # a foot this share of the body size above its neighbour's: printed raised
FULL_RAISE_SHARE = 0.25  # a body-size letter this far above the baseline is a raised marker
LINE_MATES = 5
OWN_SIZE_CHARS = 6  # a run of characters this long has a body size of its own
REF_SYMBOLS = "*†‡§¶#"
BOLD_WEIGHT = 600


@dataclass(frozen=True)
class Char:
    text: str
    bbox: BBox  # displayed, top-left; for generated characters the previous character's box
    size: float
    generated: bool  # a space or line break pdfium inferred from the layout
    bold: bool = False

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
        if SYMBOL_FONT_FIRST <= code <= SYMBOL_FONT_LAST:
            text = symbol_text(code, _font_name(raw, index))
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
        bold = pdfium_c.FPDFText_GetFontWeight(raw, index) >= BOLD_WEIGHT
        chars.append(Char(text, box, float(size), False, bold))
    return chars


def _font_name(raw, index: int) -> str:
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(raw, index, buffer, len(buffer), ctypes.byref(flags))
    return buffer.value.decode("latin-1", "replace")


def _slanted(matrix) -> bool:
    """Text neither upright nor turned a quarter: both axes of the glyph matrix are mixed."""
    scale = math.hypot(matrix.a, matrix.b) or 1.0
    return min(abs(matrix.a), abs(matrix.b)) > SLANT_SHARE * scale


def body_size(chars: Sequence[Char]) -> float:
    """The most common printed size of the visible characters (the table's body text)."""
    sizes = [round(char.size, 1) for char in chars if not char.generated and char.text.strip()]
    return statistics.mode(sizes) if sizes else 0.0


def _line_mates(index: int, chars: Sequence[Char], boxes: dict[int, BBox], normal: set[int]) -> list[int]:
    """Up to LINE_MATES body-size characters on the same line next to `index` (before it first)."""
    top, bottom = boxes[index][1], boxes[index][3]
    for step in (-1, 1):
        mates, other = [], index + step
        while 0 <= other < len(chars) and len(mates) < LINE_MATES and chars[other].text not in ("\n", "\r"):
            box = boxes.get(other)
            if other in normal and box is not None:
                if not (box[1] < bottom and top < box[3]):  # not overlapping vertically: another line
                    break
                mates.append(other)
            other += step
        if mates:
            return mates
    return []


def _small_flags(chars: Sequence[Char], body: float, reading: Callable[[BBox], BBox]) -> list[bool]:
    """Which characters are footnote markers by their print: raised above the line.

    The line's baseline is the median foot of the body-size characters beside one (descenders
    and brackets reach below it, letters and digits sit on it). A marker's foot is above it; a
    subscript ("SpO2", "PaO2") is as small but sits on or below it, so it stays text. A smaller
    character counts when raised a little, or when clearly smaller and not low on the line; a
    letter or digit in the body size (some fonts raise a 9 pt marker beside 8 pt text) only when
    raised by a quarter of the body size."""
    # One character each: an OCR word box (whole text, no printed size) is never a marker by print.
    visible = [i for i, char in enumerate(chars) if not char.generated and len(char.text.strip()) == 1]
    boxes = {i: reading(chars[i].bbox) for i in visible}
    normal = {i for i in visible if chars[i].size >= NEAR_SHARE * body}
    flags = [False] * len(chars)
    for i in visible:
        size = chars[i].size
        mates = _line_mates(i, chars, boxes, normal)
        if not mates:
            flags[i] = 0 < size < SMALL_SHARE * body
            continue
        top, bottom = boxes[i][1], boxes[i][3]
        baseline = statistics.median(boxes[m][3] for m in mates)
        middle = statistics.median((boxes[m][1] + boxes[m][3]) / 2 for m in mates)
        if size >= NEAR_SHARE * body:
            raised = bottom < baseline - FULL_RAISE_SHARE * body
            flags[i] = raised and (chars[i].text.isalnum() or chars[i].text in REF_SYMBOLS)
            continue
        raised = bottom < baseline - RAISED_SHARE * body
        flags[i] = raised or (size < SMALL_SHARE * body and (top + bottom) / 2 <= middle)
    return flags


def runs_of(chars: Sequence[Char], body: float,
            reading: Callable[[BBox], BBox] = lambda box: box) -> list[tuple[str, bool]]:
    """Consecutive characters of the same kind (marker or not) joined into (text, small) runs.
    `reading`: displayed box -> box in the text's reading orientation (for sideways tables).
    A cell of enough text is judged against its own size (a cell printed smaller than the table)."""
    if sum(not char.generated and bool(char.text.strip()) for char in chars) >= OWN_SIZE_CHARS:
        body = body_size(chars)
    flags = _small_flags(chars, body, reading)
    runs: list[tuple[str, bool]] = []
    for char, small in zip(chars, flags):
        # Spaces are never small: a marker is the visible characters printed small.
        if runs and runs[-1][1] == small:
            runs[-1] = (runs[-1][0] + char.text, small)
        else:
            runs.append((char.text, small))
    return runs


def bold_share(chars: Sequence[Char]) -> float:
    visible = [char for char in chars if not char.generated and char.text.strip()]
    return sum(char.bold for char in visible) / len(visible) if visible else 0.0
