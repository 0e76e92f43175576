import math

import pytest
import torch

from soe_desktop.core.model import Candidate
from soe_desktop.core.training.features import FeatureScaler, is_layout_feature, layout_feature_names, squash
from soe_desktop.core.training.fusion import mean_pool


def _candidate(index: int, **features: float) -> Candidate:
    return Candidate(f"c{index}", "doc", index + 1, (0, 0, 1, 1), "pdfplumber", [["a"]], features=features)


def test_fitted_model_scores_are_not_layout_features():
    assert not is_layout_feature("page_score") and not is_layout_feature("teacher_p_soe")
    assert is_layout_feature("page_landscape") and is_layout_feature("page_next_strong")
    names = layout_feature_names([_candidate(0, page_score=0.9, page_marks=3.0, n_rows=4.0)])
    assert names == ["n_rows", "page_marks"]


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
