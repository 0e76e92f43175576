"""Grid metrics on hand-made grids: exact match, a missing row, a shifted column, a typo'd name."""

from __future__ import annotations

import copy

import pytest

from soe_desktop.core.evaluation.grid_metrics import (
    GridScores,
    align_labels,
    is_mark,
    match_names,
    normalise,
    score_grid,
    total,
)


def grid(labels, rows):
    """rows: (activity, {column index: mark}, row refs, {column index: [cell refs]})."""
    columns = [{"id": f"c{j + 1}", "label": label} for j, label in enumerate(labels)]
    return {
        "columns": columns,
        "rows": [{"activity": name,
                  "marks": {f"c{j + 1}": v for j, v in marks.items()},
                  "footnote_refs": list(refs),
                  "cell_refs": {f"c{j + 1}": list(r) for j, r in cell_refs.items()}}
                 for name, marks, refs, cell_refs in rows],
    }


LABELS = ["Screening | Day -28", "Treatment | Day 1", "Treatment | Day 8", "Follow-up | Day 30"]
TRUTH = grid(LABELS, [
    ("Informed consent", {0: "X"}, [], {}),
    ("Vital signs", {0: "X", 1: "X", 2: "X", 3: "X"}, ["3"], {}),
    ("Hematology", {0: "X", 2: "X"}, [], {2: ["a"]}),
    ("Adverse events", {1: "X", 2: "X", 3: "X"}, [], {}),
])


def test_exact_match_scores_one_everywhere():
    scores = score_grid(copy.deepcopy(TRUTH), TRUTH).scores
    assert (scores.activity_f1, scores.column_precision, scores.column_recall) == (1.0, 1.0, 1.0)
    assert (scores.cell_tp, scores.cell_fp, scores.cell_fn) == (10, 0, 0)
    assert scores.cell_f1 == 1.0
    assert (scores.ref_tp, scores.ref_fp, scores.ref_fn) == (2, 0, 0)


def test_missing_row_costs_its_activity_and_all_its_marks():
    predicted = copy.deepcopy(TRUTH)
    del predicted["rows"][1]  # Vital signs: 4 marks and its ref gone
    scores = score_grid(predicted, TRUTH).scores
    assert (scores.activity_tp, scores.activity_predicted, scores.activity_truth) == (3, 3, 4)
    assert scores.activity_precision == 1.0 and scores.activity_recall == 0.75
    assert (scores.cell_tp, scores.cell_fp, scores.cell_fn) == (6, 0, 4)
    assert (scores.ref_tp, scores.ref_fn) == (1, 1)


def test_shifted_columns_align_in_order_and_cost_the_missing_one():
    # The extractor lost the first column and read every mark one column to the left.
    predicted = grid(LABELS[1:], [
        ("Informed consent", {}, [], {}),
        ("Vital signs", {0: "X", 1: "X", 2: "X"}, ["3"], {}),
        ("Hematology", {1: "X"}, [], {1: ["a"]}),
        ("Adverse events", {0: "X", 1: "X", 2: "X"}, [], {}),
    ])
    match = score_grid(predicted, TRUTH)
    assert match.columns == {0: 1, 1: 2, 2: 3}
    scores = match.scores
    assert (scores.column_precision, scores.column_recall) == (1.0, 0.75)
    assert (scores.cell_tp, scores.cell_fp, scores.cell_fn) == (7, 0, 3)
    assert scores.ref_tp == 2


def test_marks_read_into_the_wrong_column_are_both_false_positive_and_false_negative():
    predicted = copy.deepcopy(TRUTH)
    predicted["rows"][0]["marks"] = {"c2": "X"}  # consent mark drifted from Day -28 to Day 1
    scores = score_grid(predicted, TRUTH).scores
    assert (scores.cell_tp, scores.cell_fp, scores.cell_fn) == (9, 1, 1)


def test_typo_and_footnote_glued_names_still_match():
    predicted = copy.deepcopy(TRUTH)
    predicted["rows"][1]["activity"] = "Vital sings3"
    predicted["rows"][2]["activity"] = "HEMATOLOGY"
    scores = score_grid(predicted, TRUTH).scores
    assert scores.activity_f1 == 1.0 and scores.cell_f1 == 1.0


def test_unrelated_name_is_not_matched_and_its_marks_are_false_positives():
    predicted = copy.deepcopy(TRUTH)
    predicted["rows"][0]["activity"] = "Pharmacokinetic sampling"
    scores = score_grid(predicted, TRUTH).scores
    assert (scores.activity_tp, scores.cell_fp, scores.cell_fn) == (3, 1, 1)


def test_extra_predicted_column_is_a_precision_loss_only():
    predicted = copy.deepcopy(TRUTH)
    predicted["columns"].insert(2, {"id": "extra", "label": "Unscheduled"})
    for row in predicted["rows"]:
        row["marks"]["extra"] = "X"
    scores = score_grid(predicted, TRUTH).scores
    assert (scores.column_tp, scores.column_predicted, scores.column_truth) == (4, 5, 4)
    assert (scores.cell_tp, scores.cell_fp, scores.cell_fn) == (10, 4, 0)


def test_repeated_names_pair_in_row_order():
    assert match_names(["ECG", "Labs", "ECG"], ["ECG", "Labs", "ECG"]) == {0: 0, 1: 1, 2: 2}


def test_alignment_never_crosses_even_for_similar_labels():
    # "Day 1" resembles "Day 11"; order keeps each with its own column.
    assert align_labels(["Day 1", "Day 8", "Day 11"], ["Day 1", "Day 8", "Day 11"]) == {0: 0, 1: 1, 2: 2}
    assert align_labels(["Week 4", "Week 2"], ["Week 2", "Week 4"]) in ({0: 1}, {1: 0})


def test_dashes_and_blanks_are_not_marks():
    assert [is_mark(v) for v in ["X", "x", "✓", "Optional", "-", "—", " ", None]] == \
        [True, True, True, True, False, False, False, False]


def test_normalise_decodes_coded_names():
    assert normalise("INFORMED_CONSENT") == normalise("Informed consent") == "informed consent"


def test_totals_sum_counts_before_ratios():
    a = GridScores(cell_tp=9, cell_fp=1, cell_fn=0)
    b = GridScores(cell_tp=1, cell_fp=0, cell_fn=9)
    assert total([a, b]).cell_f1 == pytest.approx(2 * 10 / (2 * 10 + 1 + 9))
    assert GridScores().cell_f1 == 0.0


def test_labels_without_the_row_titles_still_align_by_their_numbers():
    truth = ["Visit 1 | Week -2", "Visit 2 | Week 0", "Visit 3 | Week 2", "Visit ET"]
    predicted = ["VISIT | WEEK", "1 | -2", "2 | 0", "3 | 2", "ET"]  # the title column read as a visit
    assert align_labels(predicted, truth) == {1: 0, 2: 1, 3: 2, 4: 3}
