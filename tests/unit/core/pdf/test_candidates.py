"""find_candidates on tiny PDFs: bbox, rotation, representations, fallback, progress, cancel."""

from __future__ import annotations

import json

import pytest

from soe_desktop.core.jobs import CancelToken, Cancelled
from soe_desktop.core.pdf.candidates import candidate_id, find_candidates

EXPECTED_HEADER = ["Procedure", "Screening", "Day 1", "Week 2", "Week 4", "Week 8", "EOT"]


def _find(built, table_pages, fallback_pages=(), **kwargs):
    document, pages = built.opened()
    return document, find_candidates(built.path, document, pages, table_pages, fallback_pages, **kwargs)


def test_ruled_table_found_with_bbox_rows_and_id(ruled_pdf):
    document, found = _find(ruled_pdf, [1, 2])
    assert len(found) == 1
    candidate, drawn = found[0], ruled_pdf.drawn[0]
    assert candidate.page == 2 and candidate.detector == "pdfplumber"
    assert candidate.bbox == pytest.approx(drawn.bbox, abs=1.5)
    assert candidate.rows == drawn.rows
    assert candidate.id == candidate_id(document.sha256, 2, 0) == f"{document.sha256[:12]}-p0002-t0"
    assert candidate.group == candidate.id


def test_ids_are_deterministic(ruled_pdf):
    assert [c.id for c in _find(ruled_pdf, [2])[1]] == [c.id for c in _find(ruled_pdf, [2])[1]]


def test_only_table_pages_are_searched(ruled_pdf):
    assert _find(ruled_pdf, [1])[1] == []
    assert _find(ruled_pdf, [])[1] == []


def test_both_representations_are_sensible(ruled_pdf):
    candidate = _find(ruled_pdf, [2])[1][0]
    as_json = json.loads(candidate.representation("json"))
    assert as_json == {"page": 2, "rows": ruled_pdf.drawn[0].rows}
    text = candidate.representation("text")
    assert "Section: 1.3 Schedule of Activities" in text
    assert "Caption: Table 1 Schedule of Activities" in text
    assert "Below: a. Vital signs include blood pressure and pulse." in text
    assert "Informed consent | X |  | X" in text
    assert len(candidate.context) <= 1500


def test_table_features_are_filled(ruled_pdf):
    features = _find(ruled_pdf, [2])[1][0].features
    assert features["n_rows"] == 7 and features["n_cols"] == 7
    assert features["mark_cell_share"] > 0.5 and features["header_visit_tokens"] >= 6


def test_rotate_page_bbox_is_displayed_and_text_readable(rotate_attr_pdf):
    document, pages = rotate_attr_pdf.opened()
    assert pages[0].rotation == 90 and pages[0].is_landscape
    found = find_candidates(rotate_attr_pdf.path, document, pages, [1])
    assert len(found) == 1
    candidate = found[0]
    assert candidate.bbox == pytest.approx(rotate_attr_pdf.drawn[0].bbox, abs=1.5)
    assert candidate.bbox[2] <= pages[0].width and candidate.bbox[3] <= pages[0].height
    assert candidate.rows[0] == EXPECTED_HEADER
    assert candidate.rows == rotate_attr_pdf.drawn[0].rows
    assert "Section: 1.3 Schedule of Activities" in candidate.context


def test_grid_rotated_inside_page_reads_in_table_orientation(rotated_in_page_pdf):
    candidate = _find(rotated_in_page_pdf, [1])[1][0]
    assert candidate.bbox == pytest.approx(rotated_in_page_pdf.drawn[0].bbox, abs=1.5)
    assert candidate.rows == rotated_in_page_pdf.drawn[0].rows  # not reversed, not transposed
    assert "Caption: Table 3 Schedule of Activities (rotated)" in candidate.context


def test_fallback_candidates(fallback_pdf):
    _, found = _find(fallback_pdf, [1, 2, 3], fallback_pages=[1, 2])
    by_page = {c.page: c for c in found}
    assert set(by_page) == {1, 2}  # prose page 3: no table, not SoE-like: no candidate
    text_block = by_page[1]
    assert text_block.detector == "fallback-text"
    assert text_block.rows[1] == EXPECTED_HEADER
    assert text_block.rows[2][:2] == ["Informed consent", "X"]
    assert 60 < text_block.bbox[0] < 80 and text_block.bbox[2] < 500
    picture = by_page[2]
    assert picture.detector == "fallback-page"
    assert picture.bbox == (0.0, 0.0, 612.0, 792.0)
    assert picture.rows == []
    assert "No text layer" in picture.text_representation()
    assert "Previous page ends: " in picture.context  # the neighbours are its only clue


def test_fallback_only_when_no_table_found(ruled_pdf):
    _, found = _find(ruled_pdf, [2], fallback_pages=[2])
    assert [c.detector for c in found] == ["pdfplumber"]


def test_fallback_page_without_detection_request(fallback_pdf):
    """A page only in fallback_pages is not opened with the detectors but still gets one."""
    _, found = _find(fallback_pdf, [], fallback_pages=[1])
    assert [c.detector for c in found] == ["fallback-text"]


def test_multipage_grid_is_grouped(multipage_pdf):
    _, found = _find(multipage_pdf, range(1, 9), fallback_pages=[6])
    pages = [c.page for c in found]
    assert pages == [2, 3, 5, 6, 7]
    assert len({c.group for c in found}) == 1
    assert found[0].group == found[0].id
    assert found[3].detector == "fallback-page"


def test_progress_is_reported_per_page(multipage_pdf):
    seen = []
    _find(multipage_pdf, [2, 3, 5], progress=seen.append)
    assert [(p.stage, p.done, p.total) for p in seen] == [("detecting", i, 3) for i in (1, 2, 3)]


def test_cancel_is_honoured(multipage_pdf):
    token = CancelToken()
    seen = []

    def cancel_after_first(progress):
        seen.append(progress)
        token.cancel()

    with pytest.raises(Cancelled):
        _find(multipage_pdf, [2, 3, 5], progress=cancel_after_first, cancel=token)
    assert len(seen) == 1


def test_camelot_runs_only_where_pdfplumber_finds_nothing(ruled_pdf, monkeypatch):
    import soe_desktop.core.pdf.detect as module

    def no_camelot(*args, **kwargs):
        raise AssertionError("camelot must not run where pdfplumber found a table")

    monkeypatch.setattr(module, "camelot_tables", no_camelot)
    assert [c.detector for c in _find(ruled_pdf, [2])[1]] == ["pdfplumber"]

    monkeypatch.undo()
    monkeypatch.setattr(module, "pdfplumber_tables", lambda page, direction=None: [])
    found = _find(ruled_pdf, [2])[1]
    assert [c.detector for c in found] == ["camelot"]
    assert found[0].rows == ruled_pdf.drawn[0].rows


def test_a_registered_table_finder_runs_after_the_built_in_ones(ruled_pdf, monkeypatch):
    from soe_desktop.core.model import Detector
    from soe_desktop.core.pdf import detect

    seen = []

    def finder(page):
        seen.append(page.number)
        return [detect.RawTable(Detector.MANUAL, (10.0, 10.0, 200.0, 200.0), [[(10.0, 10.0, 100.0, 100.0)] * 2] * 2)]

    monkeypatch.setattr(detect, "TABLE_FINDERS", list(detect.TABLE_FINDERS))
    monkeypatch.setattr(detect, "pdfplumber_tables", lambda page, direction=None: [])
    monkeypatch.setattr(detect, "camelot_tables", lambda *args, **kwargs: [])
    detect.register_table_finder(detect.TableFinder(Detector.MANUAL, finder))
    found = _find(ruled_pdf, [2])[1]
    assert seen == [2] and [c.detector for c in found] == [Detector.MANUAL]
