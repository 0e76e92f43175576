import math

import pytest
import torch

from soe_desktop.core.model import Candidate
from soe_desktop.core.labeling.heuristic import page_prior
from soe_desktop.core.pdf.features import SCREEN_LOGIT
from soe_desktop.core.training.features import (
    GROUP_MAX,
    GROUP_PAGES,
    GROUP_POSITION,
    FeatureScaler,
    group_cues,
    is_layout_feature,
    layout_feature_names,
    screen_logit,
    squash,
    with_table_cues,
)
from soe_desktop.core.training.fusion import mean_pool


def _candidate(index: int, **features: float) -> Candidate:
    return Candidate(f"c{index}", "doc", index + 1, (0, 0, 1, 1), "pdfplumber", [["a"]], features=features)


def test_fitted_model_scores_are_not_layout_features_except_the_screen_logit():
    assert not is_layout_feature("page_score") and not is_layout_feature("teacher_p_soe")
    assert not is_layout_feature(SCREEN_LOGIT)
    assert is_layout_feature("page_landscape") and is_layout_feature("page_next_strong")
    candidate = _candidate(0, page_score=0.9, page_marks=3.0, n_rows=4.0, **{SCREEN_LOGIT: 1.5})
    assert layout_feature_names([candidate]) == ["n_rows", "page_marks"]
    assert layout_feature_names([candidate], with_screen=True) == ["n_rows", "page_marks", SCREEN_LOGIT]


def test_screen_logit_is_clipped_not_squashed_and_scaled_like_the_rest():
    train = [_candidate(i, **{SCREEN_LOGIT: value}) for i, value in enumerate((-30.0, -2.0, 2.0, 30.0))]
    scaler = FeatureScaler.fit(train, with_screen=True)
    assert scaler.names == [SCREEN_LOGIT]
    assert [screen_logit(c) for c in train] == [-10.0, -2.0, 2.0, 10.0]
    assert scaler.mean == [0.0] and scaler.std[0] == pytest.approx(math.sqrt((100 + 4) / 2))


def test_candidates_stored_without_the_screen_logit_get_it_from_their_page_cues():
    cues = {"page_marks": 40.0, "page_landscape": 1.0, "page_visit_tokens": 12.0, "page_log_chars": 7.0}
    old = _candidate(0, **cues)
    assert screen_logit(old) == pytest.approx(page_prior(old.features)) and screen_logit(old) != 0.0
    assert screen_logit(_candidate(1, **cues, **{SCREEN_LOGIT: -3.0})) == -3.0


def test_squash_keeps_flags_apart_and_compresses_counts():
    assert squash(0.0) == 0.0 and squash(1.0) == pytest.approx(math.log(2))
    assert squash(-3.0) == -squash(3.0)
    assert squash(1000.0) < 7.0
    assert squash(float("nan")) == 0.0 and squash(float("inf")) == 0.0


def test_scaler_standardises_training_values_and_round_trips():
    train = [_candidate(i, page_marks=float(i * 10), page_landscape=float(i % 2), constant=2.0) for i in range(6)]
    scaler = FeatureScaler.fit(train)
    assert scaler.names == ["constant", "page_landscape", "page_marks"]
    columns = list(zip(*scaler.transform(train)))
    for column in columns[1:]:
        assert sum(column) / len(column) == pytest.approx(0.0, abs=1e-9)
        assert math.sqrt(sum(v * v for v in column) / len(column)) == pytest.approx(1.0)
    assert max(abs(v) for v in columns[0]) < 1e-12  # a constant column neither divides by zero nor carries signal
    assert FeatureScaler.from_dict(scaler.to_dict()) == scaler


def test_missing_features_and_unknown_keys_at_inference():
    scaler = FeatureScaler.fit([_candidate(0, page_marks=0.0), _candidate(1, page_marks=8.0)])
    rows = scaler.transform([_candidate(2, other=5.0), _candidate(3, page_marks=8.0)])
    assert len(rows[0]) == 1 and rows[0][0] == pytest.approx(-1.0) and rows[1][0] == pytest.approx(1.0)


def test_mean_pool_ignores_padding():
    hidden = torch.tensor([[[1.0, 1.0], [3.0, 3.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert torch.equal(mean_pool(hidden, mask), torch.tensor([[2.0, 2.0]]))


def _table_page(page: int, group: str, **features: float) -> Candidate:
    return Candidate(f"t{page}", "doc", page, (0, 0, 1, 1), "pdfplumber", [["a"]], group=group, features=features)


def test_a_continuation_page_carries_its_tables_header_and_marks():
    """A continued grid whose later pages hold text cells, not marks, still shows its first page's cues."""
    table = [_table_page(13, "g13", mark_cell_share=0.30, header_visit_tokens=8.0),
             _table_page(14, "g13", mark_cell_share=0.05, header_visit_tokens=0.0),
             _table_page(16, "g13", mark_cell_share=0.00)]
    alone = _table_page(40, "g40", mark_cell_share=0.02)
    cues = group_cues(table + [alone])
    assert cues["t16"][GROUP_PAGES] == 3.0 and cues["t16"][GROUP_POSITION] == 3.0
    assert cues["t14"][GROUP_MAX + "mark_cell_share"] == 0.30
    assert cues["t16"][GROUP_MAX + "header_visit_tokens"] == 8.0
    assert cues["t40"] == {**cues["t40"], GROUP_PAGES: 1.0, GROUP_POSITION: 0.0, GROUP_MAX + "mark_cell_share": 0.02}


def test_with_table_cues_copies_and_keeps_cues_computed_over_the_whole_document():
    table = [_table_page(1, "g1", mark_cell_share=0.5), _table_page(2, "g1", mark_cell_share=0.0)]
    cued = with_table_cues(table)
    assert GROUP_PAGES not in table[0].features  # the stored candidates are not changed
    assert [c.id for c in cued] == ["t1", "t2"] and cued[1].features[GROUP_MAX + "mark_cell_share"] == 0.5
    # a later call on part of the table (the validation split of a filtered set) keeps the document's cues
    assert with_table_cues(cued[1:])[0].features[GROUP_PAGES] == 2.0
    assert with_table_cues(cued) == cued
    assert GROUP_PAGES in layout_feature_names(cued) and GROUP_POSITION in layout_feature_names(cued)


def test_the_detector_is_a_cue_a_text_block_says_no_grid_was_found():
    block = Candidate("b", "doc", 3, (0, 0, 1, 1), "fallback-text", [["prose"]])
    picture = Candidate("p", "doc", 4, (0, 0, 1, 1), "fallback-page", [])
    grid = Candidate("g", "doc", 5, (0, 0, 1, 1), "pdfplumber", [["a", "X"]])
    cued = {c.id: c.features for c in with_table_cues([block, picture, grid])}
    assert (cued["b"]["detector_text_block"], cued["b"]["detector_whole_page"]) == (1.0, 0.0)
    assert (cued["p"]["detector_text_block"], cued["p"]["detector_whole_page"]) == (0.0, 1.0)
    assert (cued["g"]["detector_text_block"], cued["g"]["detector_whole_page"]) == (0.0, 0.0)


def _soe_grid(page: int = 12, **features: float) -> Candidate:
    rows = [["Procedure", "Screening", "Day 1", "Week 2", "Week 4"], *[[name, "X", "X", "", "X"] for name in
            ("Informed consent", "Vital signs", "ECG", "Hematology", "Physical exam")]]
    return Candidate(f"s{page}", "doc", page, (0, 0, 1, 1), "pdfplumber", rows, "Schedule of Activities",
                     features={"page_landscape": 1.0, **features})


def test_teacher_votes_are_the_heuristic_teachers_two_evidence_terms():
    from soe_desktop.core.labeling.heuristic import json_evidence, text_evidence
    from soe_desktop.core.training.features import VOTE_GRID, VOTE_NO_GRID, VOTE_TEXT, teacher_votes

    grid, picture = _soe_grid(), Candidate("p", "doc", 4, (0, 0, 1, 1), "fallback-page", [])
    assert teacher_votes(grid) == {VOTE_GRID: json_evidence(grid), VOTE_TEXT: text_evidence(grid), VOTE_NO_GRID: 0.0}
    assert teacher_votes(grid)[VOTE_GRID] > 0  # a grid of marks under visit columns
    assert teacher_votes(picture)[VOTE_NO_GRID] == 1.0 and teacher_votes(picture)[VOTE_GRID] == 0.0
    cued = with_table_cues([grid, picture])
    assert all(VOTE_GRID in c.features for c in cued)
    # inputs only when asked: without `with_votes` a student never sees them
    assert not any(name.startswith("teacher_vote_") for name in layout_feature_names(cued))
    assert {VOTE_GRID, VOTE_TEXT, VOTE_NO_GRID} <= set(layout_feature_names(cued, with_votes=True))


def test_teacher_margin_is_the_teachers_own_verdict_on_the_screens_logit():
    from soe_desktop.core.labeling.heuristic import HeuristicTeacher
    from soe_desktop.core.pdf.page_model import sigmoid
    from soe_desktop.core.training.features import TEACHER_MARGIN, teacher_margin

    candidate = with_table_cues([_soe_grid()])[0]
    candidate.features[SCREEN_LOGIT] = page_prior(candidate.features)
    assert sigmoid(teacher_margin(candidate)) == pytest.approx(HeuristicTeacher().votes(candidate)[3])
    candidate.features[SCREEN_LOGIT] = -3.0  # an experiment's fold model: the margin follows the stored logit
    low = teacher_margin(candidate)
    assert low == pytest.approx(-3.0 + (candidate.features["teacher_vote_grid"] + candidate.features["teacher_vote_text"]) / 2)
    assert layout_feature_names([candidate], with_margin=True)[-1] == TEACHER_MARGIN
    scaler = FeatureScaler.fit([candidate], with_margin=True)
    assert scaler.transform([candidate])[0][-1] == pytest.approx(0.0)  # one training value: mean 0, std 1
    assert FeatureScaler.fit([candidate], with_margin=True).mean[-1] == pytest.approx(low)
