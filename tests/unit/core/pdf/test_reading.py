"""Pages whose text layer lies: the ink-coverage test, the two-way OCR run, the candidate's reading note."""

from __future__ import annotations

import pytest

from soe_desktop.core.pdf import features, ocr
from soe_desktop.core.pdf.analysis import AnalysisOptions, analyse
from soe_desktop.core.pdf.candidates import READING_UNCERTAIN
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.synthetic.hard_layouts import STAMPED, write_hard_layout_protocol

# What OCR of a pictured SoE page gives back: a header of visits and rows of marks.
GRID_ROWS = [["Procedure", "Screening", "Day 1", "Week 2", "Week 4", "Week 8", "EOT"]] + [
    [name, "X", "X", "", "X", "X", "X"] for name in
    ("Informed consent", "Vital signs", "Physical examination", "12-lead ECG", "Hematology", "Adverse events")]


@pytest.fixture(scope="module")
def run_protocol(tmp_path_factory):
    """Section 1.3 as pictured, pictured, pictured, text, pictured, pictured (stamped, long notice)."""
    path = tmp_path_factory.mktemp("reading") / "run.pdf"
    return path, write_hard_layout_protocol(path, seed=0, main=0, appendix=3, prose_pages=2)


@pytest.fixture
def fake_ocr(monkeypatch):
    """OCR that reads every page it is asked for as the grid above, and records the order asked."""
    asked: list[int] = []

    def rows(pdf, number, sha256):
        asked.append(number)
        return [list(row) for row in GRID_ROWS]

    monkeypatch.setattr(ocr, "ocr_available", lambda: True)
    monkeypatch.setattr(ocr, "_page_rows", rows)
    return asked


class OwnCuesOnly:
    """A page model that sees only the page's own grid cue: neighbours never lift a page, so only
    the OCR rounds can reach the pictured pages of a run."""

    def predict(self, rows):
        return [0.9 if row["strong"] else 0.0 for row in rows]


def test_a_stamped_page_is_pictured_whatever_its_character_count(run_protocol, rotated_in_page_pdf, ruled_pdf):
    path, hard = run_protocol
    pages = read_pages(path)
    stamped = [pages[n - 1] for n in hard.pages_of(STAMPED)]
    assert all(p.pictured and len(p.text.strip()) > features.LOW_TEXT_CHARS for p in stamped)
    assert all(ocr.needs_ocr(p) for p in stamped)
    assert stamped[0].reading.startswith("pictured: ") and "% of the ink" in stamped[0].reading
    text_pages = [p for p in pages if p.number not in hard.layouts and p.has_text_layer]
    assert not any(p.pictured for p in text_pages)
    # A vector grid with little text has ink its text does not cover (the ruling), but no picture.
    assert not any(p.pictured for p in read_pages(ruled_pdf.path) + read_pages(rotated_in_page_pdf.path))


def test_ocr_reads_a_run_outwards_from_its_text_page_in_both_directions(run_protocol, fake_ocr):
    path, hard = run_protocol
    pages = read_pages(path)
    singles = [features.single_page_features(page) for page in pages]
    stamped = hard.pages_of(STAMPED)  # three before the text page, two after
    _, scores = ocr.screen_with_ocr(path, pages, singles, model=OwnCuesOnly())
    assert sorted(fake_ocr) == stamped
    text_page = stamped[2] + 1
    distance = [abs(number - text_page) for number in fake_ocr]
    assert distance == sorted(distance)  # nearest first, round after round
    assert all(scores[n - 1] >= features.TABLE_PAGE_THRESHOLD for n in stamped)
    assert all(pages[n - 1].reading.endswith("; read by OCR") for n in stamped)


def test_the_run_stays_within_the_ocr_budget(run_protocol, fake_ocr, monkeypatch):
    path, _ = run_protocol
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 3)
    pages = read_pages(path)
    ocr.screen_with_ocr(path, pages, [features.single_page_features(page) for page in pages], model=OwnCuesOnly())
    assert len(fake_ocr) == 3


def test_without_ocr_no_page_is_read(run_protocol, fake_ocr):
    path, _ = run_protocol
    pages = read_pages(path)
    ocr.screen_with_ocr(path, pages, [features.single_page_features(p) for p in pages], ocr=False,
                        model=OwnCuesOnly())
    assert fake_ocr == []


def test_candidates_of_an_uncertain_page_say_why_and_carry_the_flag(run_protocol, fake_ocr):
    path, hard = run_protocol
    analysis = analyse(path, options=AnalysisOptions(page_model=OwnCuesOnly()))
    by_page = {c.page: c for c in analysis.candidates}
    pictured = by_page[hard.pages_of(STAMPED)[0]]
    assert pictured.features[READING_UNCERTAIN] == 1.0
    first_line = pictured.context.splitlines()[0]
    assert first_line.startswith("Reading: pictured: ") and first_line.endswith("% of the ink; read by OCR")
    assert pictured.rows[0][0] == "Procedure"  # its cells are the OCR boxes
    text_page = by_page[hard.pages_of(STAMPED)[2] + 1]
    assert text_page.features[READING_UNCERTAIN] == 0.0 and not text_page.context.startswith("Reading:")
    sideways = [c for c in analysis.candidates if c.page in hard.truth.rotated_soe_pages
                and analysis.pages[c.page - 1].rotation == 0]
    assert sideways and all(c.features[READING_UNCERTAIN] == 1.0 for c in sideways)
    assert all(c.context.startswith("Reading: sideways: text runs up the page") for c in sideways)


def test_a_redacted_soe_page_says_redacted(tmp_path):
    from soe_desktop.core.synthetic.hard_layouts import REDACTED

    path = tmp_path / "redacted.pdf"
    hard = write_hard_layout_protocol(path, seed=2, main=4, appendix=0, prose_pages=2)
    analysis = analyse(path, options=AnalysisOptions(ocr=False))
    redacted = hard.pages_of(REDACTED)
    found = [c for c in analysis.candidates if c.page in redacted]
    assert {c.page for c in found} == set(redacted)
    assert all(c.features["redacted"] == 1.0 and c.features[READING_UNCERTAIN] == 1.0 for c in found)
    assert all(c.context.startswith("Reading: redacted: ") for c in found)
    assert all(analysis.pages[n - 1].reading.startswith("redacted") for n in redacted)
    plain = [c for c in analysis.candidates if c.page not in redacted and c.detector == "pdfplumber"
             and analysis.pages[c.page - 1].rotation == 0 and c.page not in hard.layouts]
    assert plain and all(c.features["redacted"] == 0.0 for c in plain)
