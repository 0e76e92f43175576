"""The decision threshold is the validation F1 optimum, closest to 0.5 on ties, 0.5 when data are too few."""

import pytest

from soe_desktop.core.training.threshold import DEFAULT_THRESHOLD, candidate_thresholds, f1_at, tune_threshold


def test_f1_at_counts_verdicts_at_or_above_the_threshold():
    probabilities, truth = [0.2, 0.4, 0.6, 0.9], [False, True, True, False]
    assert f1_at(probabilities, truth, 0.5) == pytest.approx(2 * 1 / (2 * 1 + 1 + 1))
    assert f1_at(probabilities, truth, 0.4) == pytest.approx(2 * 2 / (2 * 2 + 1))
    assert f1_at(probabilities, truth, 0.95) == 0.0


def test_low_scored_positives_move_the_threshold_down_between_the_scores():
    probabilities = [0.05, 0.1, 0.3, 0.35, 0.8]
    truth = [False, False, True, True, True]
    assert tune_threshold(probabilities, truth) == pytest.approx((0.1 + 0.3) / 2)


def test_high_scored_negatives_move_the_threshold_up():
    probabilities = [0.1, 0.6, 0.7, 0.9, 0.95]
    truth = [False, False, False, True, True]
    assert tune_threshold(probabilities, truth) == pytest.approx((0.7 + 0.9) / 2)


def test_ties_keep_the_threshold_closest_to_one_half():
    probabilities = [0.1, 0.2, 0.8, 0.9]
    truth = [False, False, True, True]  # every threshold in (0.2, 0.8] is perfect: 0.5 is among them
    assert tune_threshold(probabilities, truth) == DEFAULT_THRESHOLD


@pytest.mark.parametrize("truth", [[False, False, True, False], [False, False, False, False], [True] * 4])
def test_too_few_positives_or_no_negatives_keep_one_half(truth):
    assert tune_threshold([0.1, 0.2, 0.3, 0.4], truth) == DEFAULT_THRESHOLD


def test_candidates_hold_one_half_and_every_midpoint_once():
    assert candidate_thresholds([0.2, 0.4, 0.4, 0.8]) == pytest.approx([0.5, 0.3, 0.6])
