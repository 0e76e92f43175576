"""Tiny reportlab PDFs with known table geometry (used by conftest.py and the tests here), so
detection tests need neither the corpus nor the synthetic generator and run in well under a
second each."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.pdf.ingest import open_document
from soe_desktop.core.pdf.pages import read_pages


PORTRAIT_W, PORTRAIT_H = letter  # 612 x 792

VISITS = ["Screening", "Day 1", "Week 2", "Week 4", "Week 8", "EOT"]
PROCEDURES = [
    "Informed consent",
    "Vital signs",
    "Physical examination",
    "12-lead ECG",
    "Hematology",
    "Adverse events",
]


def soe_rows(procedures=PROCEDURES, visits=VISITS, mark="X") -> list[list[str]]:
    """A small procedures x visits grid with a deterministic mark pattern."""
    rows = [["Procedure", *visits]]
    for i, name in enumerate(procedures):
        rows.append([name, *[mark if (i + j) % 2 == 0 or j == 0 else "" for j in range(len(visits))]])
    return rows


@dataclass
class Drawn:
    """Where a grid was drawn, in displayed top-left coordinates."""

    page: int
    bbox: tuple[float, float, float, float]
    rows: list[list[str]] = field(default_factory=list)


def draw_grid(canvas: Canvas, x: float, y_top: float, rows, col_widths, row_h=18.0, font_size=7, ruled=True):
    """Draw a ruled grid in the canvas' current (y-up) coordinate system; returns its extent."""
    width = sum(col_widths)
    height = row_h * len(rows)
    canvas.setFont("Helvetica", font_size)
    if ruled:
        canvas.setLineWidth(0.5)
        for r in range(len(rows) + 1):
            canvas.line(x, y_top - r * row_h, x + width, y_top - r * row_h)
        cx = x
        for w in [0, *col_widths]:
            cx += w
            canvas.line(cx, y_top, cx, y_top - height)
    for r, row in enumerate(rows):
        cx = x
        for cell, w in zip(row, col_widths):
            canvas.drawString(cx + 3, y_top - (r + 1) * row_h + 5, cell)
            cx += w
    return width, height


def heading_and_caption(canvas: Canvas, top_y: float, caption="Table 1 Schedule of Activities"):
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(72, top_y, "1.3 Schedule of Activities")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(72, top_y - 18, "The procedures below are done at each visit of the study.")
    canvas.drawString(72, top_y - 36, caption)


def build(path: Path, draw_pages) -> Path:
    canvas = Canvas(str(path), pagesize=letter)
    for draw in draw_pages:
        canvas.setPageSize(letter)
        canvas.setPageRotation(0)
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return path


def ruled_portrait_page(drawn: list, page: int):
    """Heading, caption, a ruled SoE grid, a line of text below."""

    def draw(canvas: Canvas):
        heading_and_caption(canvas, 740)
        rows = soe_rows()
        widths = [120] + [55] * len(VISITS)
        w, h = draw_grid(canvas, 72, 680, rows, widths)
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, 680 - h - 20, "a. Vital signs include blood pressure and pulse.")
        drawn.append(Drawn(page, (72, PORTRAIT_H - 680, 72 + w, PORTRAIT_H - 680 + h), rows))

    return draw


def rotate_attr_page(drawn: list, page: int):
    """Portrait MediaBox with /Rotate 90: displayed landscape, content drawn upright as displayed."""

    def draw(canvas: Canvas):
        canvas.setPageSize((PORTRAIT_H, PORTRAIT_W))  # reportlab swaps it back: MediaBox stays portrait
        canvas.setPageRotation(90)
        canvas.saveState()
        canvas.transform(0, 1, -1, 0, PORTRAIT_W, 0)  # drawing space = displayed landscape, y-up
        heading_and_caption(canvas, 560, caption="Table 2 Schedule of Activities (landscape)")
        rows = soe_rows()
        widths = [150] + [70] * len(VISITS)
        w, h = draw_grid(canvas, 72, 500, rows, widths)
        canvas.restoreState()
        drawn.append(Drawn(page, (72, PORTRAIT_W - 500, 72 + w, PORTRAIT_W - 500 + h), rows))

    return draw


def rotated_in_page(drawn: list, page: int):
    """No /Rotate: a landscape grid drawn turned 90 degrees inside a portrait page (reads bottom-up)."""

    def draw(canvas: Canvas):
        canvas.saveState()
        canvas.translate(PORTRAIT_W, 0)
        canvas.rotate(90)  # drawing space: x up the page, y towards the left edge
        rows = soe_rows()
        widths = [150] + [70] * len(VISITS)
        x0, y_top = 72, 540
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(x0, y_top + 30, "Table 3 Schedule of Activities (rotated)")
        w, h = draw_grid(canvas, x0, y_top, rows, widths)
        canvas.restoreState()
        # drawing (x, y) -> page (612 - y, x); displayed top = 792 - x
        left, right = PORTRAIT_W - y_top, PORTRAIT_W - (y_top - h)
        top, bottom = PORTRAIT_H - (x0 + w), PORTRAIT_H - x0
        drawn.append(Drawn(page, (left, top, right, bottom), rows))

    return draw


def continuation_page(drawn: list, page: int, procedures):
    def draw(canvas: Canvas):
        rows = soe_rows(procedures=procedures)
        widths = [120] + [55] * len(VISITS)
        w, h = draw_grid(canvas, 72, 740, rows, widths)
        drawn.append(Drawn(page, (72, PORTRAIT_H - 740, 72 + w, PORTRAIT_H - 740 + h), rows))

    return draw


def footnote_page(canvas: Canvas):
    canvas.setFont("Helvetica", 9)
    for i, note in enumerate(["a. Within 28 days before Day 1.", "b. Pre-dose.", "c. If clinically indicated."]):
        canvas.drawString(72, 740 - 14 * i, note)


def prose_page(canvas: Canvas):
    canvas.setFont("Helvetica", 10)
    canvas.drawString(72, 740, "5 Study Population")
    for i in range(20):
        canvas.drawString(72, 710 - 14 * i, f"Participants are eligible to be included in the study only if line {i}.")


def borderless_grid_page(canvas: Canvas):
    """An SoE-like grid without ruling lines: no detector finds it, the fallback must."""
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(72, 740, "Schedule of Activities (continued)")
    draw_grid(canvas, 72, 700, soe_rows(), [120] + [55] * len(VISITS), ruled=False)


def image_only_page(canvas: Canvas):
    """A scanned insert: one picture, no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 300), "white")
    pen = ImageDraw.Draw(image)
    for k in range(0, 400, 40):
        pen.line([(k, 0), (k, 300)], fill="black")
    for k in range(0, 300, 30):
        pen.line([(0, k), (400, k)], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    canvas.drawImage(ImageReader(buffer), 72, 200, width=468, height=500)


@dataclass
class Built:
    path: Path
    drawn: list[Drawn]

    def opened(self):
        return open_document(self.path), read_pages(self.path)
