"""Hard layouts: stamped pictured pages, pictured runs around a text page, sideways grids, redactions."""

from __future__ import annotations

import json

import pdfplumber
import pytest

from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.pdf.rotation import UP_THE_PAGE
from soe_desktop.core.synthetic.hard_layouts import (
    LONG_NOTICE, REDACTED, SIDEWAYS, STAMPED, write_hard_layout_protocol, write_hard_layout_set,
)


@pytest.fixture(scope="module")
def run_protocol(tmp_path_factory):
    """Main SoE: pictured, pictured, pictured, text, pictured, pictured; appendix redacted over 4 pages."""
    path = tmp_path_factory.mktemp("hard") / "run.pdf"
    return path, write_hard_layout_protocol(path, seed=0, main=0, appendix=0, prose_pages=2)


def test_a_run_of_pictured_pages_on_both_sides_of_the_text_page(run_protocol):
    path, hard = run_protocol
    stamped = hard.pages_of(STAMPED)
    assert len(stamped) == 5
    group = hard.truth.group_pages[0]
    assert len(group) == 6 and set(stamped) < set(group)
    text_page = (set(group) - set(stamped)).pop()
    assert group.index(text_page) == 3  # three pictured pages before it, two after
    pages = read_pages(path)
    assert len(pages[text_page - 1].text) > 300


def test_a_stamped_pictured_page_carries_a_few_real_characters(run_protocol):
    path, hard = run_protocol
    page = read_pages(path)[hard.pages_of(STAMPED)[0] - 1]
    assert page.text.startswith("NCT0") and LONG_NOTICE.split(":")[0] in page.text
    assert len(page.text.strip()) > 120  # more than a character count would call text-less
    assert "Visit" not in page.text and "Screening" not in page.text  # the grid itself is a picture


def test_a_redacted_body_keeps_its_header_and_loses_its_text(run_protocol):
    path, hard = run_protocol
    redacted = hard.pages_of(REDACTED)
    assert len(redacted) == 4 and set(redacted) <= set(hard.truth.soe_pages)
    text = read_pages(path)[redacted[1] - 1].text
    assert "Study Period" in text and "Visit Window" in text
    assert "Vital signs" not in text and "ECG" not in text


def test_a_sideways_grid_on_an_upright_page(tmp_path):
    path = tmp_path / "sideways.pdf"
    hard = write_hard_layout_protocol(path, seed=4, main=4, appendix=3, prose_pages=2)
    sideways = hard.pages_of(SIDEWAYS)
    assert len(sideways) == 4 and set(sideways) <= set(hard.truth.rotated_soe_pages)
    pages = read_pages(path)
    assert all(pages[n - 1].rotation == 0 and pages[n - 1].direction == UP_THE_PAGE for n in sideways)
    assert "Week 2" in pages[sideways[0] - 1].text
    with pdfplumber.open(path) as pdf:  # the reason the page decision exists: pdfplumber reads it reversed
        assert "keeW" in pdf.pages[sideways[0] - 1].extract_text()


def test_the_set_mixes_every_layout_with_truth_in_the_corpus_layout(tmp_path):
    written = write_hard_layout_set(tmp_path, count=20, prose_pages=(2,))
    assert len(written) == 20
    layouts = {kind for _, hard in written for kind in hard.layouts.values()}
    assert layouts == {STAMPED, SIDEWAYS, REDACTED}
    pdf, hard = written[0]
    labels = json.loads((pdf.parent / "labels.json").read_text())
    assert labels["soa_table_pages"] == hard.truth.soe_pages
    assert {int(k): v for k, v in labels["hard_layouts"].items()} == hard.layouts
    assert all(set(h.layouts) <= set(h.truth.soe_pages) for _, h in written)
    again = write_hard_layout_set(tmp_path / "again", count=1, prose_pages=(2,))
    assert again[0][0].read_bytes() == pdf.read_bytes()  # same arguments, same bytes
