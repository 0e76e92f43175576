"""A one-page SoE grid whose body is blacked out, as published redacted protocols print it.

The visit header is printed; the body's text is removed and a black box (a filled rectangle, or a
black image) covers the body below the header. For the grid's "redacted, not failed" tests.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic import pages as P
from soe_desktop.core.synthetic.tables import TableSpec, build_soe_grid, draw_table, register_fonts

BODY_ROWS = 14
MARGIN = 36.0
TOP = 612 - 90.0


def _black_image() -> ImageReader:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (64, 32), 0).save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def write_redacted_pdf(path: str | Path, seed: int = 0, visit_count: int = 8, as_image: bool = False) -> list[str]:
    """Write the page; returns the header's lowest row (the visits as printed, label column first)."""
    register_fonts()
    grid = build_soe_grid(random.Random(seed), "X", visit_count=visit_count)
    width = 792 - 2 * MARGIN
    fractions = [0.24] + [0.76 / visit_count] * visit_count
    head = TableSpec([list(row) for row in grid.header], fractions, len(grid.header), font_size=8.0, padding=3.5)
    body = [[""] * (visit_count + 1) for _ in range(BODY_ROWS)]
    spec = TableSpec([list(row) for row in grid.header] + body, fractions, len(grid.header), font_size=8.0,
                     padding=3.5)
    canvas = Canvas(str(path), pagesize=P.LANDSCAPE)
    canvas.setFont("Helvetica-Bold", 10.5)
    canvas.drawString(MARGIN, TOP + 20, "Table 1 Schedule of Activities")
    measure = Canvas(io.BytesIO(), pagesize=P.LANDSCAPE)
    header_height = draw_table(measure, head, MARGIN, TOP, width)  # the same header, drawn off the page
    height = draw_table(canvas, spec, MARGIN, TOP, width)
    body_top, body_bottom = TOP - header_height, TOP - height
    if as_image:
        canvas.drawImage(_black_image(), MARGIN, body_bottom, width, body_top - body_bottom)
    else:
        canvas.setFillColorRGB(0, 0, 0)
        canvas.rect(MARGIN, body_bottom, width, body_top - body_bottom, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return list(grid.header[-1])
