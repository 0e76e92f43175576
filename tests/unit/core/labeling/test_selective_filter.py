"""Selective filter: the training set and the coverage/precision report on a fixed labelled fixture."""

from __future__ import annotations

import pytest

from soe_desktop.core.labeling.selective_filter import (
    filter_labels, filter_report, passes_filter, reliability_bins, reliability_diagram, training_set,
)
from soe_desktop.core.model import Label

# id, teacher says SoE, confidence, representations agree, human truth (None = not reviewed)
FIXTURE = [
    ("a", True, 0.99, True, True),
    ("b", True, 0.95, True, True),
    ("c", True, 0.92, True, False),   # confident and wrong
    ("d", False, 0.90, True, False),
    ("e", False, 0.85, True, False),
    ("f", True, 0.75, True, False),
    ("g", False, 0.70, True, True),
    ("h", True, 0.95, False, True),   # confident but the representations disagree
    ("i", False, 0.60, True, None),
    ("j", True, 0.55, True, None),
]


def teacher_labels():
    return [Label(cid, soe, conf, "gemini", agree=agree) for cid, soe, conf, agree, _ in FIXTURE]


def truth():
    return {cid: human for cid, *_, human in FIXTURE if human is not None}


def test_filter_keeps_agreeing_confident_labels_and_all_human_ones():
    human = Label("z", True, 1.0, "human:ann")
    kept = filter_labels(teacher_labels() + [human], threshold=0.9)
    assert [label.candidate_id for label in kept] == ["a", "b", "c", "d", "z"]
    assert not passes_filter(teacher_labels()[7], 0.5)
    assert passes_filter(teacher_labels()[7], 0.5, require_agreement=False)


def test_training_set_prefers_human_labels():
    human = [Label("c", False, 1.0, "human:ann")]
    chosen = {label.candidate_id: label for label in training_set(teacher_labels(), human, threshold=0.9)}
    assert set(chosen) == {"a", "b", "c", "d"}
    assert chosen["c"].is_human and chosen["c"].is_soe is False


@pytest.mark.parametrize(
    "threshold, kept, precision",
    [(0.5, 9, 4 / 7), (0.8, 5, 4 / 5), (0.9, 4, 3 / 4), (0.95, 2, 1.0), (0.99, 1, 1.0)],
)
def test_report_coverage_and_precision(threshold, kept, precision):
    report = filter_report(teacher_labels(), truth(), thresholds=[threshold])
    row = report.rows[0]
    assert row.kept == kept and row.total == 10
    assert row.coverage == pytest.approx(kept / 10)
    assert row.precision == pytest.approx(precision)


def test_report_soe_precision_and_table_text():
    report = filter_report(teacher_labels(), truth(), thresholds=[0.9])
    assert report.rows[0].soe_precision == pytest.approx(2 / 3)  # a, b right; c wrong
    assert report.with_truth == 8 and report.agreement_unknown == 0
    assert "| 0.90 | 4/10 | 0.400 | 4 | 0.750 | 0.667 |" in report.table()


def test_precision_is_none_without_human_labels():
    report = filter_report(teacher_labels(), {}, thresholds=[0.5])
    assert report.rows[0].precision is None and report.as_dicts()[0]["precision"] is None


def test_reliability_bins_and_png(tmp_path):
    bins = reliability_bins(teacher_labels(), truth(), bins=5)
    assert sum(b.count for b in bins) == 8
    top = bins[-1]  # 0.9-1.0: a, b, c, d, h -> a, b, d, h right
    assert top.count == 5 and top.accuracy == pytest.approx(4 / 5)
    path = reliability_diagram(teacher_labels(), truth(), tmp_path / "out" / "reliability.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
