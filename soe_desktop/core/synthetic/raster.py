"""Rasterise a table with PIL, for pages that carry a picture of a grid and no text layer
(scanned inserts: some real protocols carry SoE pages only as a picture)."""

from __future__ import annotations

import os
from functools import lru_cache

import reportlab
from PIL import Image, ImageDraw, ImageFont

from soe_desktop.core.synthetic.tables import TableSpec, symbol_font_path

_FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False, symbol: bool = False) -> ImageFont.FreeTypeFont:
    if symbol:
        return ImageFont.truetype(symbol_font_path(), size)
    return ImageFont.truetype(os.path.join(_FONT_DIR, "VeraBd.ttf" if bold else "Vera.ttf"), size)


def _cell_width(row: list[str], col: int, widths: list[int], spans: bool) -> int:
    """Width of a cell, extended over the empty cells to its right in a spanning header row."""
    width = widths[col]
    while spans and col + 1 < len(row) and row[col + 1] == "" and row[col] != "":
        col += 1
        width += widths[col]
    return width


def _fitting_font(draw: ImageDraw.ImageDraw, text: str, width: int, bold: bool, symbol: bool):
    for size in (13, 11, 9, 8):
        font = _font(size, bold, symbol)
        if draw.textlength(text, font=font) <= width - 6:
            return font
    return font


def render_table_image(spec: TableSpec, caption: str, width_px: int = 1500, row_px: int = 34) -> Image.Image:
    """A greyscale picture of `spec`: caption, ruled grid, header shaded, one text line per cell."""
    rows = [[cell.replace("\n", " ").replace("^", "") for cell in row] for row in spec.rows]
    margin, caption_px = 30, 50
    height_px = caption_px + row_px * len(rows) + 2 * margin
    image = Image.new("L", (width_px, height_px), 255)
    draw = ImageDraw.Draw(image)
    draw.text((margin, margin), caption, fill=0, font=_font(20, bold=True))
    widths = [int(f * (width_px - 2 * margin)) for f in spec.col_fractions]
    lefts = [margin + sum(widths[:i]) for i in range(len(widths))]
    top = margin + caption_px
    for index, row in enumerate(rows):
        y = top + index * row_px
        if index < spec.header_rows:
            draw.rectangle([margin, y, lefts[-1] + widths[-1], y + row_px], fill=225)
        bold = index < spec.header_rows or index in spec.category_rows
        for col, text in enumerate(row):
            if index in spec.category_rows and col > 0:
                break
            width = _cell_width(row, col, widths, spans=index == 0 and spec.header_rows > 1)
            font = _fitting_font(draw, text, width, bold, (index, col) in spec.symbol_cells)
            x = lefts[col] + 4 if col == 0 else lefts[col] + (width - draw.textlength(text, font=font)) / 2
            draw.text((x, y + (row_px - 14) // 2), text, fill=0, font=font)
        spanned = {c for c in range(1, len(row)) if index == 0 and spec.header_rows > 1 and row[c] == ""}
        _rule_row(draw, lefts, widths, y, row_px, full=index in spec.category_rows, skip=spanned)
    return image


def _rule_row(draw: ImageDraw.ImageDraw, lefts: list[int], widths: list[int], y: int, row_px: int,
              full: bool, skip: set[int]) -> None:
    """Outline one row and its column rules, leaving out rules inside spanned cells."""
    right = lefts[-1] + widths[-1]
    draw.rectangle([lefts[0], y, right, y + row_px], outline=0, width=1)
    if not full:
        for col, left in enumerate(lefts[1:], start=1):
            if col not in skip:
                draw.line([left, y, left, y + row_px], fill=0, width=1)
