"""find_candidates on the generated sample protocol: every hard case of the ground truth."""

from __future__ import annotations

import pytest

from soe_desktop.core.pdf.candidates import find_candidates
from soe_desktop.core.pdf.ingest import open_document
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.synthetic import write_sample_protocol


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "protocol.pdf"
    truth = write_sample_protocol(path)
    document, pages = open_document(path), read_pages(path)
    table_pages = set(truth.soe_pages) | set(truth.negative_table_pages) | set(truth.notes_only_pages)
    found = find_candidates(path, document, pages, table_pages, truth.soe_pages)
    return truth, pages, found


def _on(found, page):
    return [c for c in found if c.page == page]


def test_every_soe_page_gets_a_candidate(sample):
    truth, _, found = sample
    assert set(truth.soe_pages) <= {c.page for c in found}


def test_negative_tables_are_candidates_too(sample):
    truth, _, found = sample
    assert set(truth.negative_table_pages) <= {c.page for c in found}


def test_rotated_soe_pages_read_forwards_inside_the_displayed_page(sample):
    truth, pages, found = sample
    assert truth.rotated_soe_pages
    for number in truth.rotated_soe_pages:
        (candidate,) = _on(found, number)
        page = pages[number - 1]
        assert 0 <= candidate.bbox[0] < candidate.bbox[2] <= page.width + 0.5
        assert 0 <= candidate.bbox[1] < candidate.bbox[3] <= page.height + 0.5
        first_column = [row[0] for row in candidate.rows]
        assert "Screening" in candidate.rows[0] or "Screening" in candidate.rows[1]
        assert "Visit" in first_column  # visits across the top, procedures down the side
        assert candidate.features["mark_cells"] >= 5 and candidate.features["first_col_wordy_share"] > 0.8
        assert "gnineercS" not in candidate.table_text()


def test_image_only_soe_page_is_a_whole_page_candidate(sample):
    truth, pages, found = sample
    for number in truth.image_only_pages:
        (candidate,) = _on(found, number)
        assert candidate.detector == "fallback-page"
        assert candidate.bbox == (0.0, 0.0, pages[number - 1].width, pages[number - 1].height)


def test_borderless_soe_page_gets_a_text_candidate(sample):
    truth, _, found = sample
    for number in truth.borderless_soe_pages:
        (candidate,) = _on(found, number)
        assert candidate.detector == "fallback-text"
        assert candidate.features["mark_cells"] >= 5


def test_groups_follow_the_ground_truth(sample):
    truth, _, found = sample
    for group_pages in truth.group_pages:
        groups = {c.group for c in found if c.page in group_pages}
        assert len(groups) == 1, group_pages
        first = min((c for c in found if c.page in group_pages), key=lambda c: c.page)
        assert groups == {first.id}
    soe_groups = [{c.group for c in found if c.page in pages} for pages in truth.group_pages]
    assert len(set().union(*soe_groups)) == len(truth.group_pages)  # distinct grids stay apart
