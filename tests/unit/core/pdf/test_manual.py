"""A person's whole-page candidate gets its page's reading like a found candidate: a pictured (stamped),
sideways or redacted page is marked `reading_uncertain` (and `redacted`), its context opens with the
"Reading: ..." line, and a plain page stays plain. The pages are read as the store keeps them (text and
OCR flag, no reading note), so the reading is decided again from the PDF."""

from __future__ import annotations

import dataclasses

import pytest

from soe_desktop.core.labeling.uncertain_reading import reading_uncertain
from soe_desktop.core.model import Detector
from soe_desktop.core.pdf.candidates import READING_UNCERTAIN, REDACTED
from soe_desktop.core.pdf.manual import whole_page_candidate
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.store import rows
from soe_desktop.core.synthetic.hard_layouts import SIDEWAYS, STAMPED, write_hard_layout_protocol
from soe_desktop.core.synthetic.redacted import write_redacted_pdf

SHA = "ef" * 32


def _as_stored(pages):
    """The pages as the store gives them back (their reading note is not kept)."""
    return [rows.row_to_page(rows.page_to_row(SHA, page)) for page in pages]


@pytest.fixture(scope="module")
def protocols(tmp_path_factory):
    """Generated protocols: stamped pictured pages around a text page, a sideways grid (each with the
    pages, 1-based, of every hard layout), and a one-page grid whose body is blacked out."""
    folder = tmp_path_factory.mktemp("hard")
    written = {}
    for name, main, appendix in (("stamped+redacted", 0, 0), ("sideways", 4, 3)):
        path = folder / f"{name}.pdf"
        truth = write_hard_layout_protocol(path, seed=3, main=main, appendix=appendix, prose_pages=6)
        written[name] = (path, truth)
    for name, as_image in (("redacted", False), ("redacted-image", True)):
        write_redacted_pdf(folder / f"{name}.pdf", as_image=as_image)
        written[name] = (folder / f"{name}.pdf", None)
    return written


@pytest.mark.parametrize("protocol, layout, note", [
    ("stamped+redacted", STAMPED, "pictured: "),
    ("sideways", SIDEWAYS, "sideways: text runs "),
    ("redacted", "redacted", "redacted: "),
    ("redacted-image", "redacted", "redacted: "),  # a pasted black image: pictured and redacted
])
def test_a_page_read_uncertainly_marks_its_manual_candidate(protocols, protocol, layout, note):
    path, truth = protocols[protocol]
    number = truth.pages_of(layout)[0] if truth else 1
    stored = _as_stored(read_pages(path))
    assert not stored[number - 1].reading  # what the store kept says nothing of it
    candidate = whole_page_candidate(SHA, stored, number, "Added by hand.", pdf_path=path)
    assert candidate.detector == Detector.MANUAL and candidate.features[READING_UNCERTAIN] == 1.0
    assert reading_uncertain(candidate)
    assert candidate.features[REDACTED] == float(layout == "redacted")
    first, second = candidate.context.splitlines()[:2]
    assert first.startswith("Reading: ") and note in first and second == "Added by hand."


def test_the_manual_note_is_the_pipelines_own_for_a_pictured_page(protocols):
    path, truth = protocols["stamped+redacted"]
    number = truth.pages_of(STAMPED)[0]
    pages = read_pages(path)
    candidate = whole_page_candidate(SHA, _as_stored(pages), number, pdf_path=path)
    assert candidate.context.splitlines()[0] == f"Reading: {pages[number - 1].reading}"


def test_a_plain_text_page_stays_plain(protocols):
    path, truth = protocols["sideways"]
    hard = set(truth.layouts)
    number = next(n for n in range(2, 9) if n not in hard)
    candidate = whole_page_candidate(SHA, _as_stored(read_pages(path)), number, pdf_path=path)
    assert candidate.features[READING_UNCERTAIN] == 0.0 and candidate.features[REDACTED] == 0.0
    assert not reading_uncertain(candidate) and "Reading:" not in candidate.context


def test_without_the_file_an_ocr_page_still_reads_as_uncertain(protocols):
    path, truth = protocols["stamped+redacted"]
    number = truth.pages_of(STAMPED)[0]
    stored = _as_stored(read_pages(path))
    stored[number - 1] = dataclasses.replace(stored[number - 1], text="Procedure  Screening  Day 1", ocr=True)
    candidate = whole_page_candidate(SHA, stored, number)
    assert candidate.features[READING_UNCERTAIN] == 1.0 and candidate.features["ocr"] == 1.0
    assert candidate.context.startswith("Reading: pictured; read by OCR")
    moved = whole_page_candidate(SHA, stored, number, pdf_path=path.with_name("gone.pdf"))
    assert moved.features[READING_UNCERTAIN] == 1.0 and moved.context == candidate.context


def _black_under_white_grid(path) -> None:
    """A grid drawn as a black block under white cells, each with its words on top (a common way to
    draw ruling): mostly 'black' to a fill measure, but nothing is blacked out."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=(792, 612))
    canvas.setFillColorRGB(0, 0, 0)
    canvas.rect(36, 100, 720, 440, stroke=0, fill=1)
    for row in range(10):
        for column in range(6):
            x, y = 37 + column * 120, 101 + row * 44
            canvas.setFillColorRGB(1, 1, 1)
            canvas.rect(x, y, 118, 42, stroke=0, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            canvas.drawString(x + 4, y + 16, f"Visit {column} row {row} X")
    canvas.showPage()
    canvas.save()


def test_a_grid_drawn_black_under_white_is_not_redacted(tmp_path, protocols):
    import pdfplumber

    from soe_desktop.core.pdf.manual import is_page_redacted, redacted_share

    path = tmp_path / "ruled.pdf"
    _black_under_white_grid(path)
    with pdfplumber.open(path) as pdf:
        assert redacted_share(pdf.pages[0]) >= 0.6  # what the fill measure alone sees
        assert is_page_redacted(pdf.pages[0])[0] is False  # its words lie on the "black"
    with pdfplumber.open(protocols["redacted"][0]) as pdf:
        assert is_page_redacted(pdf.pages[0])[0] is True
