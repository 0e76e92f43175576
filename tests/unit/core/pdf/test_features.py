"""Page features, page scores and the page screen (pypdfium2 text + size only)."""

from __future__ import annotations

import math
import time

import pytest

from soe_desktop.core.model import PageText
from soe_desktop.core.pdf import features as F
from soe_desktop.core.pdf.pages import read_pages

GRID_TEXT = "\n".join(
    [
        "Schedule of Activities",
        "Procedure Screening Day 1 Week 2 Week 4 Week 8 EOT Follow-up",
        "Informed consent X",
        "Vital signs X X X X X X",
        "Physical examination X X X X",
        "12-lead ECG X1 X X X",
        "Hematology X X X X X",
        "Urinalysis X X X",
        "Pregnancy test X X X",
        "Adverse events X X X X X X",
        "Concomitant medications X X X X X",
    ]
)
PROSE_TEXT = (
    "The study will enrol adults with moderate disease. Participants who meet all criteria will be "
    "assigned to one of two arms and followed for the duration described in this section.\n" * 8
)


def page(number: int, text: str = "", landscape: bool = False, rotation: int = 0) -> PageText:
    width, height = (792.0, 612.0) if landscape else (612.0, 792.0)
    return PageText(number, width, height, rotation, text, has_text_layer=len(text.strip()) >= 20)


def test_marks_count_cell_marks_but_not_multiplications_or_bullets():
    grid = F.single_page_features(page(1, "ALT X X X\nAST X1 ✓ •\nECG Xa X X"))
    lab = F.single_page_features(page(1, "ALT > 3 X ULN\nbilirubin 2 x ULN and 1.5 x 10 9/L\nretest 5 X 3 days"))
    bullets = F.single_page_features(page(1, "• Vital signs\n• Physical examination\n● Hematology panel"))
    assert grid["marks"] == 9
    assert lab["marks"] == 0
    assert bullets["marks"] == 0


def test_grid_page_has_the_soe_cues_and_prose_page_has_none():
    grid = F.single_page_features(page(1, GRID_TEXT, landscape=True))
    prose = F.single_page_features(page(2, PROSE_TEXT))
    assert grid["landscape"] == 1.0 and prose["landscape"] == 0.0
    assert grid["schedule_phrase"] == 1.0 and prose["schedule_phrase"] == 0.0
    assert grid["procedure_kinds"] >= 7 and prose["procedure_kinds"] == 0
    assert grid["visit_density"] > 0.1 and prose["visit_density"] < 0.02
    assert grid["mark_lines"] >= 8 and grid["strong"] == 1.0 and prose["strong"] == 0.0
    assert grid["prose_line_share"] < prose["prose_line_share"]


def test_summary_of_changes_and_toc_cues():
    changes = F.single_page_features(page(1, "Original text with changes shown New wording Reason/Justification for change"))
    toc = F.single_page_features(page(1, "1.3 Schedule of Activities ............ 12\n2 Introduction ........... 15"))
    assert changes["change_table"] >= 2
    assert toc["dot_leaders"] == 2 and toc["schedule_phrase"] == 1.0


def test_textless_page_inside_an_soe_run_sees_its_neighbours():
    pages = [page(1, PROSE_TEXT), page(2, GRID_TEXT, True), page(3, "", True), page(4, GRID_TEXT, True), page(5, PROSE_TEXT)]
    rows = F.page_features(pages)
    assert len(rows) == 5
    assert rows[2]["has_text"] == 0.0 and rows[2]["low_text"] == 1.0
    assert rows[2]["prev_strong"] == 1.0 and rows[2]["next_strong"] == 1.0 and rows[2]["max1_strong"] == 1.0
    assert rows[2]["textless_landscape_next_to_strong"] == 1.0
    assert rows[0]["max1_strong"] == 1.0 and rows[0]["prev_strong"] == 0.0  # page 1 has no previous page
    assert rows[2]["run_before_strong"] == 1.0 and rows[2]["run_length"] == 1.0


def test_long_textless_run_weakens_the_run_cues():
    pages = [page(1, "Schedule of Activities\n" + PROSE_TEXT)] + [page(n, "") for n in range(2, 12)]
    rows = F.page_features(pages)
    assert rows[1]["run_length"] == 10
    assert rows[1]["run_before_schedule"] == pytest.approx(0.1)


def test_document_relative_cues():
    rows = F.page_features([page(1, GRID_TEXT), page(2, "Vital signs X X\nECG X X\n" + PROSE_TEXT)])
    assert rows[0]["doc_rel_mark_lines"] == 1.0
    assert 0.0 < rows[1]["doc_rel_mark_lines"] < 1.0


def test_every_page_gets_the_same_feature_names():
    rows = F.page_features([page(1, GRID_TEXT), page(2, ""), page(3, PROSE_TEXT, rotation=90)])
    assert all(set(row) == set(rows[0]) for row in rows)
    assert all(isinstance(value, float) for value in rows[0].values())


def test_shipped_model_knows_every_feature():
    from soe_desktop.core.pdf.page_model import load_page_model

    names = set(F.page_features([page(1, GRID_TEXT)])[0])
    assert set(load_page_model().feature_names) == names


def test_candidate_page_features_prefix_and_screen_logit():
    out = F.candidate_page_features({"landscape": 1.0, "marks": 3}, page_score=0.7)
    assert out == {"page_landscape": 1.0, "page_marks": 3.0, F.SCREEN_LOGIT: pytest.approx(math.log(0.7 / 0.3))}
    assert F.SCREEN_LOGIT not in F.candidate_page_features({"marks": 3})


def test_screen_thresholds_and_text_layer():
    pages = [page(1, PROSE_TEXT), page(2, GRID_TEXT), page(3, ""), page(4, PROSE_TEXT)]
    table_pages, fallback_pages = F.screen(pages, scores=[0.01, 0.9, 0.6, 0.07])
    assert table_pages == [2]  # page 3 has no text layer: nothing for pdfplumber to find
    assert fallback_pages == [2, 3, 4]


@pytest.fixture(scope="module")
def sample_pages(tmp_path_factory):
    from soe_desktop.core.synthetic import write_sample_protocol

    path = tmp_path_factory.mktemp("features") / "sample.pdf"
    truth = write_sample_protocol(path)
    return read_pages(path), truth


def test_page_scores_on_the_synthetic_sample(sample_pages):
    pages, truth = sample_pages
    scores = F.page_scores(pages)
    predicted = {p.number for p, s in zip(pages, scores) if s >= 0.5}
    assert set(truth.soe_pages) <= predicted  # rotated and image-only SoE pages included
    assert not predicted & set(truth.negative_table_pages)


def test_screen_keeps_every_soe_page_and_opens_few(sample_pages):
    pages, truth = sample_pages
    table_pages, fallback_pages = F.screen(pages)
    assert set(truth.soe_pages) <= set(fallback_pages)
    assert set(truth.image_only_pages).isdisjoint(table_pages)
    assert len(set(table_pages) | set(fallback_pages)) <= len(pages) // 2


def test_features_are_cheap(sample_pages):
    pages, _ = sample_pages
    started = time.perf_counter()
    F.page_features(pages * 4)
    per_page_ms = (time.perf_counter() - started) * 1000 / (len(pages) * 4)
    assert per_page_ms < 25  # ~2-3 ms/page measured; generous for a shared CI box


def test_second_look_takes_the_best_scored_pages_the_screen_left_closed():
    pages = [page(1, PROSE_TEXT), page(2, GRID_TEXT), page(3, PROSE_TEXT), page(4, PROSE_TEXT), page(5, PROSE_TEXT)]
    scores = [0.02, 0.9, 0.08, 0.01, 0.05]
    assert F.second_look(pages, scores, opened={2}, count=2) == [3, 5]  # best first
    assert F.second_look(pages, scores, opened={2}, count=10) == [3, 5, 1, 4]
    assert F.second_look(pages, scores, opened={2}, count=0) == []


def test_second_look_skips_pages_without_vector_text():
    scanned = PageText(2, 612, 792, 0, "", has_text_layer=False)
    read_by_ocr = PageText(3, 612, 792, 0, GRID_TEXT, has_text_layer=False, ocr=True)
    pages = [page(1, PROSE_TEXT), scanned, read_by_ocr]
    assert F.second_look(pages, [0.01, 0.09, 0.1], opened=set(), count=3) == [1]  # detectors need vector text


def test_pages_to_examine_puts_the_screen_pages_most_soe_like_first_then_the_second_look():
    pages = [page(1, PROSE_TEXT), page(2, GRID_TEXT), page(3, PROSE_TEXT), page(4, GRID_TEXT), page(5, PROSE_TEXT)]
    table_pages, fallback_pages, looked = F.pages_to_examine(pages, [0.02, 0.5, 0.01, 0.9, 0.025], look_count=2)
    assert looked == [5, 1]
    assert table_pages == [4, 2, 5, 1]
    assert fallback_pages == [4, 2, 5, 1]
