"""Table content and drawing: the SoE grid (procedures x visits) and a ruled-table renderer.

A `TableSpec` is plain data (rows of strings + a few style hints) so the same spec can be drawn
as vector text with reportlab or rasterised with PIL for the image-only page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import os
import re
from xml.sax.saxutils import escape
from importlib.util import find_spec

import reportlab
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from soe_desktop.core.synthetic.vocabulary import FOOTNOTES, PROCEDURES, VISITS

# Bitstream Vera ships inside reportlab, so every machine draws the same glyphs (±, ≥, •, ×, ¹)
# with an embedded font and a ToUnicode map, as real protocols do.
FONT = "Vera"
BOLD = "VeraBd"
# Check marks and empty boxes come from DejaVu Sans, which matplotlib (a core dependency) ships;
# Vera and the 14 standard PDF fonts have no such glyphs.
SYMBOL_FONT = "DejaVuSans"
CHECK_GLYPH = "\u2713"
BOX_GLYPH = "\u2610"
SUPERSCRIPTS = ["\u00b9", "\u00b2", "\u00b3"]  # the only superscripts in WinAnsi
MARK_STYLES = ("X", "check", "bullet")
FILL_INDENT = 3.0  # text inset in a cell whose lines are filled from rule to rule (no cell padding)


def register_fonts() -> None:
    """Register the Vera fonts once; reportlab keeps them in a process-wide registry."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(folder, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(folder, "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont(SYMBOL_FONT, symbol_font_path()))


def symbol_font_path() -> str:
    """DejaVuSans.ttf inside matplotlib's data folder (found without importing matplotlib)."""
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib is needed for the DejaVu Sans symbol font")
    return os.path.join(os.path.dirname(spec.origin), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")


@dataclass
class TableSpec:
    """One table as data: header rows first, then body rows (all rows have the same width)."""

    rows: list[list[str]]
    col_fractions: list[float]
    header_rows: int = 1
    category_rows: list[int] = field(default_factory=list)  # full-width section rows
    symbol_cells: list[tuple[int, int]] = field(default_factory=list)  # (row, col) in SYMBOL_FONT
    font_size: float = 7.0
    padding: float = 2.0
    center_from_col: int = 1  # columns from here on are centred (marks, numbers)
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (row, first col, last col) merged
    # Ruling styles a default table finder misreads (see grids.GridOptions):
    text_fill: bool = False  # every text line drawn on its own white filled rectangle
    outer_verticals: bool = True  # False: no rule left of the first column nor right of the last
    vspans: list[tuple[int, int, int]] = field(default_factory=list)  # (col, first row, last row) merged
    turned_cells: list[tuple[int, int]] = field(default_factory=list)  # (row, col) printed running up
    shaded_cols: list[int] = field(default_factory=list)  # columns filled light grey, top to bottom
    period_row: int = 0  # the header row whose cells span their periods' visits (rows above: a caption)


@dataclass
class SoeGrid:
    """A whole SoE grid before it is split over pages."""

    header: list[list[str]]
    body: list[list[str]]
    category_rows: list[int]
    symbol_cells: list[tuple[int, int]]
    footnotes: list[str]

    def chunks(self, parts: int) -> list[TableSpec]:
        """Split the body into `parts` page-sized specs, each repeating the header rows."""
        size = -(-len(self.body) // parts)
        specs = []
        for start in range(0, len(self.body), size):
            specs.append(self._spec(start, min(start + size, len(self.body))))
        return specs

    def _spec(self, start: int, stop: int) -> TableSpec:
        head = len(self.header)
        rows = self.header + self.body[start:stop]
        categories = [head + r - start for r in self.category_rows if start <= r < stop]
        symbols = [(head + r - start, c) for r, c in self.symbol_cells if start <= r < stop]
        first_col = 0.24
        other = (1 - first_col) / (len(rows[0]) - 1)
        return TableSpec(rows, [first_col] + [other] * (len(rows[0]) - 1), head, categories, symbols,
                         font_size=8.0, padding=3.5)


def _marked_visits(cadence: str, count: int, rng: random.Random) -> set[int]:
    """Visit indices that get a mark; index 0 is Screening, the last two are ET and Follow-up."""
    treatment = list(range(1, count - 2))
    et, follow_up = count - 2, count - 1
    if cadence == "screening":
        return {0}
    if cadence == "day1":
        return {1}
    if cadence == "every":
        return set(range(count)) - ({follow_up} if rng.random() < 0.5 else set())
    if cadence == "treatment":
        return set(treatment)
    if cadence == "periodic":
        step = rng.choice([2, 3])
        return {0, 1, et} | set(treatment[::step])
    return {1, treatment[len(treatment) // 2], treatment[-1], et}  # sparse


def _mark(style: str, rng: random.Random, footnote_count: int) -> tuple[str, bool]:
    """Cell text of one mark and whether it is drawn in the symbol font."""
    if style == "check":
        return CHECK_GLYPH, True
    if style == "bullet":
        return "\u2022", False
    if rng.random() < 0.08:
        return "X" + SUPERSCRIPTS[rng.randrange(min(footnote_count, len(SUPERSCRIPTS)))], False
    return "X", False


def build_soe_grid(rng: random.Random, mark_style: str = "X", visit_count: int = 12) -> SoeGrid:
    """Procedures x visits with marks following each procedure's cadence."""
    visits = VISITS[:visit_count - 2] + VISITS[-2:]
    header = [
        ["Study Period", "Screening"] + ["Treatment Period"] + [""] * (len(visits) - 4) + ["ET", "Follow-up"],
        ["Visit"] + [name for name, _, _ in visits],
        ["Study Day"] + [day.replace(" after ", "\nafter ").replace(" to ", " to\n") for _, day, _ in visits],
        ["Visit Window (days)"] + [window for _, _, window in visits],
    ]
    footnotes = rng.sample(FOOTNOTES, k=rng.randint(8, 12))
    body: list[list[str]] = []
    categories: list[int] = []
    symbols: list[tuple[int, int]] = []
    for category, procedures in PROCEDURES:
        categories.append(len(body))
        body.append([category] + [""] * len(visits))
        for index, (name, cadence) in enumerate(procedures):
            label = name + (SUPERSCRIPTS[index % 3] if rng.random() < 0.3 else "")
            row = [label] + [""] * len(visits)
            for visit in _marked_visits(cadence, len(visits), rng):
                row[visit + 1], symbolic = _mark(mark_style, rng, len(footnotes))
                if symbolic:
                    symbols.append((len(body), visit + 1))
            body.append(row)
    return SoeGrid(header, body, categories, symbols, footnotes)


def wrap_cells(spec: TableSpec, width: float) -> None:
    """Insert line breaks so text fits its column (reportlab does not wrap plain strings)."""
    for index, row in enumerate(spec.rows):
        if index < spec.period_row or (index == spec.period_row and spec.header_rows > 1):
            continue  # a caption row and the period row span columns (see _header_spans)
        for col, text in enumerate(row):
            if (index, col) in spec.turned_cells:
                continue  # printed running up: its length is the row's height, not the column's width
            col_width = spec.col_fractions[col] * width - 6
            lines = [part for line in text.split("\n") for part in simpleSplit(line, FONT, spec.font_size, col_width)]
            if lines:
                row[col] = "\n".join(lines)


def _style(spec: TableSpec, ruled: bool) -> TableStyle:
    last_col = len(spec.rows[0]) - 1
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, spec.font_size),
        ("LEADING", (0, 0), (-1, -1), spec.font_size + 1.5),
        ("FONT", (0, 0), (-1, spec.header_rows - 1), BOLD, spec.font_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (spec.center_from_col, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), spec.padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), spec.padding),
    ]
    if spec.text_fill:  # the lines' white rectangles reach the rules on both sides
        commands += [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    if ruled:
        commands += [
            ("GRID" if spec.outer_verticals else "INNERGRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, spec.header_rows - 1), colors.Color(0.88, 0.88, 0.88)),
        ]
        if not spec.outer_verticals:  # the top and bottom rules only
            commands += [("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black),
                         ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black)]
    else:
        commands += [
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, spec.header_rows - 1), (-1, spec.header_rows - 1), 0.8, colors.black),
        ]
    for row in spec.category_rows:
        commands += [("SPAN", (0, row), (last_col, row)), ("FONT", (0, row), (0, row), BOLD, spec.font_size),
                     ("ALIGN", (0, row), (0, row), "LEFT")]
        if ruled:
            commands.append(("BACKGROUND", (0, row), (last_col, row), colors.Color(0.94, 0.94, 0.94)))
    for row, col in spec.symbol_cells:
        commands.append(("FONT", (col, row), (col, row), SYMBOL_FONT, spec.font_size))
    commands += _header_spans(spec)
    commands += [("SPAN", (first, row), (last, row)) for row, first, last in spec.spans]
    commands += [("SPAN", (col, first), (col, last)) for col, first, last in spec.vspans]
    commands += [("BACKGROUND", (col, 0), (col, -1), colors.Color(0.85, 0.85, 0.85)) for col in spec.shaded_cols]
    return TableStyle(commands)


class TurnedText(Flowable):
    """One line of text turned a quarter counter-clockwise (running up the page), as a narrow
    header cell prints a long visit name ("Randomization")."""

    def __init__(self, text: str, font: str, size: float) -> None:
        super().__init__()
        self.text, self.font, self.size = text, font, size

    def wrap(self, available_width, available_height):
        return self.size * 1.3, stringWidth(self.text, self.font, self.size) + 2

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.rotate(90)
        self.canv.setFont(self.font, self.size)
        self.canv.drawString(1, -self.size, self.text)  # baseline right of the glyphs' tops
        self.canv.restoreState()


def _header_spans(spec: TableSpec) -> list[tuple]:
    """Merge empty cells of the first header row into the label on their left (period spans)."""
    at = spec.period_row
    spans, row = [], spec.rows[at]
    col = 1
    while col < len(row):
        end = col
        while end + 1 < len(row) and row[end + 1] == "" and row[col] != "":
            end += 1
        if end > col:
            spans.append(("SPAN", (col, at), (end, at)))
        col = end + 1
    return spans if spec.header_rows > at + 1 else []


def _cell(text: str, spec: TableSpec, row: int, col: int):
    """A plain string, or a Paragraph where the text holds "^a" markup: a footnote marker printed
    small and raised, as word processors print them (the grid extractor must tell it apart);
    "_{2}": a subscript, printed small and low (part of the name: "SpO_{2}"). With `text_fill`
    each line of text sits on its own white rectangle (a span's back colour, one per line)."""
    bold = row < spec.header_rows or row in spec.category_rows
    if (row, col) in spec.turned_cells:
        return TurnedText(text, BOLD if bold else FONT, spec.font_size)
    if "^" not in text and "_{" not in text and not (spec.text_fill and text):
        return text
    markup = re.sub(r"\^([A-Za-z0-9,]+)", r"<super>\1</super>", escape(text))
    markup = re.sub(r"_\{([^}]*)\}", r"<sub>\1</sub>", markup)
    if (row, col) in spec.symbol_cells:
        markup = f'<font name="{SYMBOL_FONT}">{markup}</font>'
    style = ParagraphStyle("cell", fontName=BOLD if bold else FONT, fontSize=spec.font_size,
                           leading=spec.font_size + 1.5, alignment=TA_CENTER if col >= spec.center_from_col else 0)
    if spec.text_fill:  # one paragraph a line, its back colour as wide as the cell (rule to rule)
        filled = ParagraphStyle("filled", parent=style, backColor=colors.white, leftIndent=FILL_INDENT,
                                rightIndent=FILL_INDENT)
        return [Paragraph(line, filled) for line in markup.split("\n")]
    return Paragraph(markup.replace("\n", "<br/>"), style)


def draw_table(canvas: Canvas, spec: TableSpec, x: float, top: float, width: float, ruled: bool = True) -> float:
    """Draw `spec` with its top-left corner at (x, top); returns the height used."""
    wrap_cells(spec, width)
    data = [[_cell(text, spec, r, c) for c, text in enumerate(row)] for r, row in enumerate(spec.rows)]
    table = Table(data, colWidths=[f * width for f in spec.col_fractions])
    table.setStyle(_style(spec, ruled))
    _, height = table.wrapOn(canvas, width, 10_000)
    table.drawOn(canvas, x, top - height)
    return height
