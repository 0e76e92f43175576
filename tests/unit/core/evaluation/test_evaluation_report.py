import pytest

from soe_desktop.core.evaluation.report import (
    calibration_bins,
    confusion,
    expected_calibration_error,
    page_truth_to_tables,
    scored_report,
    table_confusion,
)
from soe_desktop.core.model import Candidate, Label


def test_confusion_counts_and_ratios():
    result = confusion([True, True, False, False, True], [True, False, True, False, True])
    assert (result.tp, result.fp, result.fn, result.tn) == (2, 1, 1, 1)
    assert result.precision == pytest.approx(2 / 3) and result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 / 3) and result.accuracy == pytest.approx(3 / 5)
    with pytest.raises(ValueError):
        confusion([True], [])


def test_table_confusion_scores_only_candidates_with_truth():
    candidates = [Candidate(f"c{p}", "d", p, (0, 0, 1, 1), "pdfplumber") for p in (1, 2, 3, 4)]
    truth = page_truth_to_tables(candidates, soe_pages={1, 2}, not_scored={4})
    assert truth == {"c1": True, "c2": True, "c3": False}
    labels = [Label("c1", True, 0.9, "heuristic"), Label("c3", True, 0.6, "heuristic"), Label("c4", True, 1, "x")]
    result = table_confusion(truth, labels)
    assert (result.tp, result.fp, result.fn, result.tn) == (1, 1, 1, 0)  # c2 unlabelled = negative


def test_calibration_numbers():
    probabilities = [0.9, 0.9, 0.1, 0.1]
    assert expected_calibration_error(probabilities, [True, True, False, False]) == pytest.approx(0.1)
    assert expected_calibration_error(probabilities, [False, False, True, True]) == pytest.approx(0.9)
    bins = calibration_bins([0.05, 1.0], [False, True], bins=10)
    assert [b["count"] for b in bins] == [1, 1] and bins[-1]["observed"] == 1.0


def test_scored_report_has_average_precision_unless_no_positive():
    report = scored_report([0.8, 0.3, 0.6], [True, False, False])
    assert report["average_precision"] == 1.0 and report["fp"] == 1 and report["n"] == 3
    assert scored_report([0.2], [False])["average_precision"] is None


def test_verdict_calibration_on_a_tiny_known_example():
    """Four labels: two at 0.95 (one right), two at 0.65 (both right): bins 0.9-1 and 0.6-0.7.
    ECE = (2 * |0.5 - 0.95| + 2 * |1.0 - 0.65|) / 4 = 0.40."""
    from soe_desktop.core.evaluation.report import verdict_calibration

    labels = [Label("a", True, 0.95, "h"), Label("b", False, 0.95, "h"), Label("c", True, 0.65, "h"),
              Label("d", False, 0.65, "h"), Label("e", True, 0.99, "h")]  # e has no truth: not scored
    truth = {"a": True, "b": True, "c": True, "d": False}
    result = verdict_calibration(labels, truth)
    assert result["n"] == 4
    assert result["ece"] == pytest.approx(0.40)
    assert result["accuracy"] == pytest.approx(0.75) and result["mean_confidence"] == pytest.approx(0.80)
    perfect = verdict_calibration([Label("a", True, 1.0, "h")], {"a": True})
    assert perfect["ece"] == pytest.approx(0.0)
    assert verdict_calibration([], truth)["ece"] is None


def test_verdict_calibration_agrees_with_the_reliability_diagram_bins():
    from soe_desktop.core.evaluation.report import verdict_calibration
    from soe_desktop.core.labeling.selective_filter import expected_calibration_error, reliability_bins

    labels = [Label(f"c{i}", i % 3 != 0, 0.5 + (i % 10) / 20 + 0.01, "h") for i in range(40)]
    truth = {f"c{i}": i % 2 == 0 for i in range(40)}
    assert verdict_calibration(labels, truth)["ece"] == pytest.approx(
        expected_calibration_error(reliability_bins(labels, truth)))
