"""Page drawers: each draws one whole page on a reportlab canvas in a given coordinate space.

Portrait pages are US Letter (612 x 792 pt); landscape content is drawn in a 792 x 612 space,
either on a landscape media box, on a portrait media box with /Rotate 90, or rotated inside a
portrait page (see `rotate_into_portrait`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.core.synthetic.tables import BOLD, FONT, TableSpec, draw_table
from soe_desktop.core.synthetic.vocabulary import paragraph, sentence

PORTRAIT = LETTER
LANDSCAPE = landscape(LETTER)
MARGIN = 54.0


@dataclass
class Protocol:
    """What every page header and footer repeats."""

    code: str
    title: str
    sponsor: str
    drug: str
    phase: str
    indication: str
    page_count: int = 0


def decorate(c: Canvas, protocol: Protocol, number: int, size: tuple[float, float], watermark: bool) -> None:
    """Running header, footer with page number, and optionally a diagonal watermark."""
    width, height = size
    c.setFont(FONT, 8)
    c.setFillColor(colors.black)
    c.drawString(MARGIN * 0.7, height - 28, f"{protocol.sponsor}   {protocol.drug}")
    c.drawRightString(width - MARGIN * 0.7, height - 28, f"Protocol {protocol.code}")
    c.line(MARGIN * 0.7, height - 32, width - MARGIN * 0.7, height - 32)
    c.drawCentredString(width / 2, 20, "CONFIDENTIAL")
    c.drawRightString(width - MARGIN * 0.7, 20, f"Page {number} of {protocol.page_count}")
    if watermark:
        draw_watermark(c, size)


def draw_watermark(c: Canvas, size: tuple[float, float]) -> None:
    c.saveState()
    c.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.18))
    c.setFont(BOLD, 64)
    c.translate(size[0] / 2, size[1] / 2)
    c.rotate(40)
    c.drawCentredString(0, 0, "CONFIDENTIAL")
    c.restoreState()


def draw_lines(c: Canvas, text: str, x: float, y: float, width: float,
               font: str = FONT, size: float = 10, leading: float = 13) -> float:
    """Wrap and draw `text`; returns the baseline below the last line."""
    c.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        c.drawString(x, y, line)
        y -= leading
    return y


def heading(c: Canvas, text: str, x: float, y: float, size: float = 13) -> float:
    c.setFont(BOLD, size)
    c.drawString(x, y, text)
    return y - size * 1.8


def draw_title_page(c: Canvas, protocol: Protocol, rng: random.Random) -> None:
    width, height = PORTRAIT
    y = height - 180
    c.setFont(BOLD, 11)
    c.drawCentredString(width / 2, height - 120, "CLINICAL STUDY PROTOCOL")
    for line in simpleSplit(protocol.title, BOLD, 17, width - 2 * MARGIN):
        c.setFont(BOLD, 17)
        c.drawCentredString(width / 2, y, line)
        y -= 24
    y -= 30
    facts = [("Protocol Number", protocol.code), ("Investigational Product", protocol.drug),
             ("Phase", protocol.phase), ("Indication", protocol.indication), ("Sponsor", protocol.sponsor),
             ("Version", f"Amendment {rng.randint(1, 4)}, {rng.randint(1, 28)} March 2024")]
    for label, value in facts:
        c.setFont(BOLD, 10)
        c.drawString(MARGIN + 40, y, f"{label}:")
        c.setFont(FONT, 10)
        c.drawString(MARGIN + 200, y, value)
        y -= 18
    draw_lines(c, "This document contains confidential information belonging to the Sponsor. Except as otherwise "
               "agreed in writing, by accepting this document you agree to hold this information in confidence.",
               MARGIN, 120, width - 2 * MARGIN, size=8, leading=10)


def draw_toc(c: Canvas, entries: list[tuple[str, int]]) -> None:
    width, height = PORTRAIT
    y = heading(c, "Table of Contents", MARGIN, height - 80, 14)
    c.setFont(FONT, 9.5)
    for text, page in entries:
        if y < 60:
            break
        indent = 16 * text.split(" ")[0].count(".")
        c.drawString(MARGIN + indent, y, text)
        label_end = MARGIN + indent + c.stringWidth(text, FONT, 9.5) + 4
        c.drawRightString(width - MARGIN, y, str(page))
        dots = "." * max(0, int((width - MARGIN - 20 - label_end) / c.stringWidth(".", FONT, 9.5)))
        c.drawString(label_end, y, dots)
        y -= 14


def draw_synopsis(c: Canvas, protocol: Protocol, rng: random.Random, part: int) -> None:
    width, height = PORTRAIT
    y = height - 80
    if part == 0:
        y = heading(c, "1 Protocol Summary", MARGIN, y, 14)
        y = heading(c, "1.1 Synopsis", MARGIN, y, 12)
    fields = ["Protocol Title", "Rationale", "Objectives and Endpoints", "Overall Design", "Number of Participants",
              "Intervention Groups and Duration", "Data Monitoring Committee", "Statistical Methods"]
    for label in fields[part * 4:(part + 1) * 4]:
        y = heading(c, f"{label}:", MARGIN, y, 10.5) + 6
        text = protocol.title if label == "Protocol Title" else paragraph(rng, rng.randint(3, 5))
        y = draw_lines(c, text, MARGIN, y, width - 2 * MARGIN) - 10


def draw_prose(c: Canvas, section: str, rng: random.Random, text_override: str = "") -> None:
    """A page of running text under one numbered section heading, with the odd bullet list."""
    width, height = PORTRAIT
    y = heading(c, section, MARGIN, height - 80) if section else height - 80
    if text_override:
        y = draw_lines(c, text_override, MARGIN, y, width - 2 * MARGIN) - 8
    while y > 110:
        if rng.random() < 0.2:
            for _ in range(rng.randint(2, 4)):
                y = draw_lines(c, "\u2022  " + sentence(rng), MARGIN + 14, y, width - 2 * MARGIN - 14) - 2
        else:
            y = draw_lines(c, paragraph(rng), MARGIN, y, width - 2 * MARGIN)
        y -= 9


def draw_table_page(c: Canvas, size: tuple[float, float], spec: TableSpec, caption: str, section: str = "",
                    intro: str = "", notes: list[str] | None = None, ruled: bool = True) -> None:
    """Heading, intro sentence, caption, table, then notes under it: one table page."""
    width, height = size
    margin = MARGIN if width < height else 36.0
    y = height - 62
    if section:
        y = heading(c, section, margin, y)
    if intro:
        y = draw_lines(c, intro, margin, y, width - 2 * margin) - 4
    if caption:
        y = heading(c, caption, margin, y, 10.5) + 8
    y -= draw_table(c, spec, margin, y, width - 2 * margin, ruled=ruled) + 12
    for note in notes or []:
        if y < 40:
            break
        y = draw_lines(c, note, margin, y, width - 2 * margin, size=7, leading=8.5)


def draw_notes_page(c: Canvas, size: tuple[float, float], caption: str, footnotes: list[str], abbreviations: str) -> None:
    """The footnote-only continuation of an SoE: caption and notes, no grid body."""
    width, height = size
    margin = 36.0
    y = heading(c, caption, margin, height - 62, 10.5)
    for index, note in enumerate(footnotes, start=1):
        y = draw_lines(c, f"{index}. {note}", margin, y, width - 2 * margin, size=8.5, leading=11) - 3
    draw_lines(c, f"Abbreviations: {abbreviations}", margin, y - 8, width - 2 * margin, size=8.5, leading=11)


def rotate_into_portrait(c: Canvas) -> None:
    """Map a 792 x 612 landscape drawing space onto a portrait media box, turned 90 degrees
    counter-clockwise: a /Rotate 90 page then displays it upright, a plain page shows it sideways."""
    c.translate(PORTRAIT[0], 0)
    c.rotate(90)


def draw_image_page(c: Canvas, image: Image.Image, size: tuple[float, float]) -> None:
    """A page made of one picture and nothing else: no text layer at all."""
    width, height = size
    scale = min((width - 48) / image.width, (height - 48) / image.height)
    w, h = image.width * scale, image.height * scale
    c.drawImage(ImageReader(image), (width - w) / 2, height - 24 - h, w, h)
