"""The hostile synthetic protocol prints formula-looking text where a grid has text, and its truth says so."""

from __future__ import annotations

import pypdfium2 as pdfium

from soe_desktop.core.synthetic.hostile import (
    HONEST_CELL,
    HOSTILE_ACTIVITIES,
    HOSTILE_CELL,
    HOSTILE_FOOTNOTE,
    HOSTILE_SECTION,
    HOSTILE_TEXTS,
    HOSTILE_VISIT,
    write_hostile_pdf,
)


def _text(path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        assert len(document) == 1
        page = document[0]
        return page.get_textpage().get_text_range()
    finally:
        document.close()


def test_every_hostile_text_is_printed_on_the_one_page(tmp_path):
    write_hostile_pdf(tmp_path / "h.pdf")
    text = _text(tmp_path / "h.pdf")
    assert all(hostile in text for hostile in HOSTILE_TEXTS)
    assert f"{HOSTILE_FOOTNOTE[0]}. {HOSTILE_FOOTNOTE[1]}" in text


def test_truth_places_the_hostile_and_honest_texts(tmp_path):
    truth = write_hostile_pdf(tmp_path / "h.pdf")
    names = [row.activity for row in truth.rows]
    assert set(HOSTILE_ACTIVITIES.values()) <= set(names)
    assert HOSTILE_SECTION in {row.section for row in truth.rows}
    assert any(label.startswith(HOSTILE_VISIT + " | ") for label in truth.columns)
    cells = [value for row in truth.rows for value in row.marks.values()]
    assert cells.count(HOSTILE_CELL) == 1 and cells.count(HONEST_CELL) == 1
    assert truth.footnotes[HOSTILE_FOOTNOTE[0]] == HOSTILE_FOOTNOTE[1]
    assert any(HOSTILE_FOOTNOTE[0] in refs for row in truth.rows for refs in row.cell_refs.values())


def test_same_seed_same_bytes(tmp_path):
    write_hostile_pdf(tmp_path / "a.pdf", seed=2)
    write_hostile_pdf(tmp_path / "b.pdf", seed=2)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
