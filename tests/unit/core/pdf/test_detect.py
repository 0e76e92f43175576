"""Detectors: pdfplumber geometry, camelot lattice, de-duplication, tiny tables ignored."""

from __future__ import annotations

import pdfplumber
import pytest
from pdf_fixtures import build, draw_grid

from soe_desktop.core.pdf.detect import RawTable, camelot_tables, clip, deduplicate, iou, is_big_enough, pdfplumber_tables


def _first_page_tables(path):
    with pdfplumber.open(path) as pdf:
        return pdfplumber_tables(pdf.pages[0]), pdf.pages[0].chars


def test_pdfplumber_finds_ruled_table_with_drawn_bbox(ruled_pdf):
    drawn = ruled_pdf.drawn[0]
    with pdfplumber.open(ruled_pdf.path) as pdf:
        tables = pdfplumber_tables(pdf.pages[drawn.page - 1])
    assert len(tables) == 1
    assert tables[0].bbox == pytest.approx(drawn.bbox, abs=1.5)
    assert (tables[0].n_rows, tables[0].n_cols) == (len(drawn.rows), len(drawn.rows[0]))


def test_camelot_lattice_agrees_with_pdfplumber(ruled_pdf):
    drawn = ruled_pdf.drawn[0]
    tables = camelot_tables(ruled_pdf.path, drawn.page)
    assert len(tables) == 1 and tables[0].detector == "camelot"
    assert tables[0].bbox == pytest.approx(drawn.bbox, abs=2.0)
    assert tables[0].n_rows == len(drawn.rows)


def test_camelot_bbox_is_displayed_on_rotate_page(rotate_attr_pdf):
    tables = camelot_tables(rotate_attr_pdf.path, 1)
    assert tables and tables[0].bbox == pytest.approx(rotate_attr_pdf.drawn[0].bbox, abs=2.0)


def test_tiny_tables_are_ignored(tmp_path):
    def one_row(canvas):
        draw_grid(canvas, 72, 700, [["only", "one row"]], [100, 100])

    def one_column(canvas):
        draw_grid(canvas, 72, 700, [["a"], ["b"], ["c"]], [100])

    for name, page in (("row", one_row), ("col", one_column)):
        tables, _ = _first_page_tables(build(tmp_path / f"{name}.pdf", [page]))
        assert tables == []


def test_is_big_enough_needs_two_rows_and_two_columns():
    box = (0.0, 0.0, 1.0, 1.0)
    assert is_big_enough(RawTable("x", box, [[box, box], [box, None]]))
    assert not is_big_enough(RawTable("x", box, [[box, box]]))


def test_iou_and_deduplicate_keep_first_of_overlapping():
    a = RawTable("pdfplumber", (0, 0, 100, 100), [])
    b = RawTable("camelot", (2, 2, 101, 99), [])
    c = RawTable("camelot", (0, 300, 100, 400), [])
    assert iou(a.bbox, b.bbox) > 0.9 and iou(a.bbox, c.bbox) == 0.0
    kept = deduplicate([a, b, c])
    assert [t.detector for t in kept] == ["pdfplumber", "camelot"] and kept[1] is c


def test_clip_keeps_boxes_on_the_page():
    assert clip((-313.0, 54.0, 1937.0, 541.0), 842.0, 595.0) == (0.0, 54.0, 842.0, 541.0)
    assert clip((900.0, 10.0, 950.0, 20.0), 842.0, 595.0) is None


def test_has_ruling_gates_camelot(ruled_pdf, tmp_path):
    from pdf_fixtures import image_only_page, prose_page

    from soe_desktop.core.pdf.detect import has_ruling

    with pdfplumber.open(ruled_pdf.path) as pdf:
        assert not has_ruling(pdf.pages[0])  # prose
        assert has_ruling(pdf.pages[1])  # ruled grid
    with pdfplumber.open(build(tmp_path / "img.pdf", [image_only_page, prose_page])) as pdf:
        assert has_ruling(pdf.pages[0])  # a scanned grid: lattice may see its lines


def test_a_frame_around_text_is_no_ruling(tmp_path):
    from soe_desktop.core.pdf.detect import has_ruling

    def framed(canvas):
        canvas.rect(72, 600, 400, 100)
        canvas.drawString(80, 650, "A boxed note, not a table.")

    with pdfplumber.open(build(tmp_path / "framed.pdf", [framed])) as pdf:
        assert not has_ruling(pdf.pages[0])
