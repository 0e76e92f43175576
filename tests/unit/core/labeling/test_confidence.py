"""The combined confidence and its calibration on human labels."""

from __future__ import annotations

import json
import random

import pytest

from soe_desktop.core.labeling.cache import Vote
from soe_desktop.core.labeling.calibration import MIN_HUMAN_LABELS, Calibrator, NotEnoughLabels, fit_calibrator, try_fit
from soe_desktop.core.labeling.confidence import combine, consistency, vote_p_soe
from soe_desktop.core.model import from_p_soe


def test_agreeing_single_samples_keep_the_stated_confidence():
    combined = combine({"json": [Vote(True, 0.9)], "text": [Vote(True, 0.8)]})
    assert combined.is_soe and combined.agree
    assert combined.confidence == pytest.approx(0.85)


def test_disagreement_lowers_confidence_below_either_vote():
    combined = combine({"json": [Vote(True, 0.95)], "text": [Vote(False, 0.6)]})
    assert not combined.agree
    assert combined.is_soe  # the more confident side wins the verdict ...
    assert combined.confidence < 0.6  # ... but nobody should train on it


def test_inconsistent_samples_lower_confidence():
    steady = combine({"json": [Vote(True, 0.9)] * 3, "text": [Vote(True, 0.9)] * 3})
    wobbly_votes = [Vote(True, 0.9), Vote(True, 0.9), Vote(False, 0.9)]
    wobbly = combine({"json": wobbly_votes, "text": [Vote(True, 0.9)] * 3})
    assert consistency(wobbly_votes) == pytest.approx(2 / 3)
    assert wobbly.confidence < steady.confidence and wobbly.is_soe


def test_token_probability_is_blended_with_stated_confidence():
    assert vote_p_soe(Vote(True, 0.9)) == pytest.approx(0.9)
    assert vote_p_soe(Vote(True, 0.9, token_p=0.5)) == pytest.approx(0.7)
    assert vote_p_soe(Vote(False, 0.8, token_p=1.0)) == pytest.approx(0.1)


def test_confidence_stays_between_half_and_one():
    rng = random.Random(1)
    for _ in range(200):
        votes = {kind: [Vote(rng.random() < 0.5, rng.uniform(0.5, 1.0)) for _ in range(rng.randint(1, 4))]
                 for kind in ("json", "text")}
        assert 0.5 <= combine(votes).confidence <= 1.0


def test_combine_needs_votes():
    with pytest.raises(ValueError):
        combine({"json": [], "text": [Vote(True, 0.9)]})


def overconfident_teacher(n=60, seed=0):
    """Raw P(SoE) of 0.9 that is right only 60 % of the time, 0.1 right 90 %."""
    rng = random.Random(seed)
    raw, human = [], []
    for _ in range(n):
        says_soe = rng.random() < 0.5
        raw.append(0.9 if says_soe else 0.1)
        human.append(rng.random() < (0.6 if says_soe else 0.1))
    return raw, human


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibration_pulls_overconfident_scores_towards_observed_rates(method, tmp_path):
    raw, human = overconfident_teacher()
    calibrator = fit_calibrator(raw, human, method)
    observed = sum(h for r, h in zip(raw, human) if r == 0.9) / raw.count(0.9)
    assert calibrator.transform(0.9) == pytest.approx(observed, abs=0.12)
    assert calibrator.transform(0.9) < 0.8
    restored = Calibrator.load(calibrator.save(tmp_path / "calibration.json"))
    assert restored.transform(0.9) == pytest.approx(calibrator.transform(0.9))
    json.loads((tmp_path / "calibration.json").read_text())  # plain JSON, no pickle


def test_calibration_needs_twenty_human_labels_with_both_answers():
    raw, human = overconfident_teacher(n=MIN_HUMAN_LABELS - 1)
    with pytest.raises(NotEnoughLabels):
        fit_calibrator(raw, human)
    assert try_fit([0.9] * 30, [True] * 30) is None
    assert try_fit(*overconfident_teacher(n=MIN_HUMAN_LABELS)) is not None


def test_from_p_soe():
    assert from_p_soe(0.3) == (False, pytest.approx(0.7))
