import math

import pytest
import torch

from soe_desktop.core.model import Candidate
from soe_desktop.core.labeling.heuristic import page_prior
from soe_desktop.core.pdf.features import SCREEN_LOGIT
from soe_desktop.core.training.features import (
    FeatureScaler,
    is_layout_feature,
    layout_feature_names,
    screen_logit,
    squash,
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
