"""Calibration on misread pages: both labelers' confidence is lowered below the auto-accept and
the "uncertain below" thresholds, verdicts and agreement kept, and the filter does not train on it."""

from __future__ import annotations

import pytest

from soe_desktop.core.labeling.heuristic import HeuristicTeacher
from soe_desktop.core.labeling.selective_filter import passes_filter
from soe_desktop.core.labeling.uncertain_reading import (
    READING_UNCERTAIN,
    UNCERTAIN_READING_CAP,
    UNTEMPERED_P_SOE,
    reading_note,
    reading_uncertain,
    temper_label,
    temper_uncertain,
    tempered_p_soe,
    untempered,
    calibration_rows,
    calibration_table,
)
from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.settings import FILTER_THRESHOLD, Settings

from test_heuristic import LAB_CONTEXT, LAB_ROWS, SOE_CONTEXT, SOE_ROWS, candidate

SETTINGS = Settings()


def _misread(made: Candidate, **features: float) -> Candidate:
    made.features.update({READING_UNCERTAIN: 1.0, **features})
    return made


def test_the_cap_sits_below_review_routing_filter_and_auto_accept():
    assert UNCERTAIN_READING_CAP < SETTINGS.uncertain_threshold < SETTINGS.auto_accept_threshold
    assert UNCERTAIN_READING_CAP < FILTER_THRESHOLD


@pytest.mark.parametrize("threshold", [0.5, 0.35, 0.62])
def test_tempering_keeps_the_verdict_and_the_order_and_caps_the_confidence(threshold):
    ps = [0.0, 0.02, 0.2, threshold - 0.01, threshold, threshold + 0.01, 0.8, 0.97, 1.0]
    tempered = [tempered_p_soe(p, threshold) for p in ps]
    assert [t >= threshold for t in tempered] == [p >= threshold for p in ps]
    assert tempered == sorted(tempered)
    for p, t in zip(ps, tempered):
        confidence = t if p >= threshold else 1.0 - t
        assert confidence <= UNCERTAIN_READING_CAP + 1e-9


def test_a_threshold_outside_the_cap_keeps_the_verdict_as_unsure_as_it_can():
    assert tempered_p_soe(0.99, threshold=0.8) == pytest.approx(0.8)  # "yes" at the threshold itself
    assert tempered_p_soe(0.01, threshold=0.2) < 0.2  # still "no"


def test_the_flag_is_read_from_the_candidate_features():
    plain = candidate(2, SOE_ROWS, SOE_CONTEXT)
    assert not reading_uncertain(plain)
    assert reading_uncertain(_misread(candidate(2, SOE_ROWS, SOE_CONTEXT)))
    assert not reading_uncertain(Candidate("x", "d", 1, (0, 0, 1, 1), "pdfplumber", features={READING_UNCERTAIN: 0.0}))
    assert reading_note(_misread(candidate(2, SOE_ROWS, SOE_CONTEXT), ocr=1.0)) == "read by OCR"


def test_heuristic_teacher_on_a_misread_soe_page_is_no_longer_sure():
    teacher = HeuristicTeacher()
    plain = teacher.label([candidate(2, SOE_ROWS, SOE_CONTEXT)])[0]
    misread = teacher.label([_misread(candidate(2, SOE_ROWS, SOE_CONTEXT), ocr=1.0)])[0]
    assert plain.is_soe and plain.confidence >= SETTINGS.auto_accept_threshold  # would be auto-accepted
    assert misread.is_soe and misread.agree is plain.agree is True
    assert misread.confidence <= UNCERTAIN_READING_CAP < SETTINGS.uncertain_threshold
    assert misread.details[READING_UNCERTAIN] is True
    assert misread.details[UNTEMPERED_P_SOE] == pytest.approx(plain.p_soe, abs=1e-4)
    # both representations' votes are tempered too, on the same side of the threshold
    for vote in ("json", "text"):
        assert 0.5 <= misread.details[vote] <= UNCERTAIN_READING_CAP < plain.details[vote]
    assert "read by OCR: left for review" in misread.reason


def test_heuristic_teacher_on_a_misread_look_alike_keeps_its_no_but_not_its_certainty():
    teacher = HeuristicTeacher()
    plain = teacher.label([candidate(3, LAB_ROWS, LAB_CONTEXT)])[0]
    misread = teacher.label([_misread(candidate(3, LAB_ROWS, LAB_CONTEXT))])[0]
    assert not plain.is_soe and plain.confidence > UNCERTAIN_READING_CAP
    assert not misread.is_soe and misread.confidence <= UNCERTAIN_READING_CAP
    assert untempered(misread).confidence == pytest.approx(plain.confidence, abs=1e-4)


def test_a_continued_table_keeps_its_consensus_verdict_and_leaves_its_misread_page_unsure():
    first = candidate(2, SOE_ROWS, SOE_CONTEXT)
    second = _misread(candidate(3, LAB_ROWS[:2], ""), ocr=1.0)
    first.group = second.group = "table-1"
    labels = HeuristicTeacher().label([first, second])
    assert labels[0].confidence > UNCERTAIN_READING_CAP
    assert labels[1].details[READING_UNCERTAIN] and labels[1].confidence <= UNCERTAIN_READING_CAP


def test_tempering_twice_changes_nothing_and_human_labels_are_never_tempered():
    made = _misread(candidate(2, SOE_ROWS, SOE_CONTEXT))
    once = HeuristicTeacher().label([made])[0]
    twice = temper_uncertain([made], [once])[0]
    assert (twice.is_soe, twice.confidence, twice.details, twice.reason) == (
        once.is_soe, once.confidence, once.details, once.reason)
    human = Label(made.id, True, 1.0, "human:ana")
    assert temper_label(human) is human


def test_the_filter_does_not_train_on_a_misread_page_unless_a_person_confirms_it():
    made = _misread(candidate(2, SOE_ROWS, SOE_CONTEXT))
    label = HeuristicTeacher().label([made])[0]
    assert label.agree is True and not passes_filter(label, FILTER_THRESHOLD)
    disagreeing = Label(made.id, True, 0.65, "heuristic", agree=False, details={READING_UNCERTAIN: True})
    assert not passes_filter(disagreeing, 0.6, require_agreement=False)  # agreement stays required here
    assert passes_filter(Label(made.id, True, 0.65, "heuristic", agree=False), 0.6, require_agreement=False)


def test_calibration_rows_score_the_same_labels_before_and_after_the_rule():
    """A misread SoE page called "no" at 0.98 (untempered): wrong and sure before, wrong and unsure after."""
    misread = _misread(candidate(2, SOE_ROWS, SOE_CONTEXT))
    wrong = temper_uncertain([misread], [Label(misread.id, False, 0.98, "heuristic", agree=True)])[0]
    right = Label("plain", True, 0.9, "heuristic", agree=True)
    rows = {row["labels"]: row for row in calibration_rows([wrong, right], {misread.id: True, "plain": True})}
    assert rows["uncertain reading"]["judged"] == 1 and rows["uncertain reading"]["accuracy"] == 0.0
    assert rows["uncertain reading"]["ece_before"] == pytest.approx(0.98)
    assert rows["uncertain reading"]["ece_after"] == pytest.approx(wrong.confidence) and wrong.confidence <= 0.7
    assert rows["plain reading"]["ece_before"] == rows["plain reading"]["ece_after"] == pytest.approx(0.1)
    assert rows["all"]["judged"] == 2 and rows["all"]["ece_after"] < rows["all"]["ece_before"]
    assert "| uncertain reading | 1 |" in calibration_table(list(rows.values()))


def test_ocr_and_whole_page_pictures_count_as_uncertain_without_the_flag():
    ocr = candidate(2, SOE_ROWS, SOE_CONTEXT)
    ocr.features["ocr"] = 1.0
    pictured = candidate(2, [], SOE_CONTEXT, detector="fallback-page")
    assert reading_uncertain(ocr) and reading_note(ocr) == "read by OCR"
    assert reading_uncertain(pictured) and reading_note(pictured) == "pictured page"
    label = HeuristicTeacher().label([pictured])[0]
    assert label.is_soe and label.confidence <= UNCERTAIN_READING_CAP and "pictured page: left for review" in label.reason
