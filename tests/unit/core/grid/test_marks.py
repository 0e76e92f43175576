"""Mark normalisation and footnote markers glued to names."""

import pytest

from soe_desktop.core.grid.marks import normalise_cell, normalise_name
from soe_desktop.core.grid.model import MARK


@pytest.mark.parametrize("text", ["X", "x", "\u2713", "\u2714", "\u2022", "\u25cf", "\u25cb", "\u25b2", "X X"])
def test_every_mark_style_is_a_mark(text):
    cell = normalise_cell(text)
    assert cell.value == MARK and cell.refs == []


@pytest.mark.parametrize("text, refs", [("X\u00b9", ["1"]), ("X^a", ["a"]), ("Xa", ["a"]), ("X1", ["1"]),
                                        ("X a,b", ["a", "b"]), ("\u2713\u00b2", ["2"]), ("X*", ["*"])])
def test_marks_with_footnote_refs(text, refs):
    cell = normalise_cell(text)
    assert (cell.value, cell.refs) == (MARK, refs)


def test_small_printed_marker_is_a_ref_not_text():
    cell = normalise_cell([("X", False), ("g", True)])
    assert (cell.value, cell.refs) == (MARK, ["g"])


@pytest.mark.parametrize("text", ["Optional", "C", "Day 1 only", "(X)", "Pre-dose and 2 h post-dose"])
def test_text_cells_are_kept_as_text(text):
    assert normalise_cell(text).value == text


def test_empty_cell():
    assert normalise_cell("  ").value == ""


@pytest.mark.parametrize("runs, name, refs", [
    ("Vital signs3", "Vital signs", ["3"]),
    ("Vital signs^a", "Vital signs", ["a"]),
    ("Vital signs\u00b9", "Vital signs", ["1"]),
    ("Quality of life (EQ-5D-5L)2", "Quality of life (EQ-5D-5L)", ["2"]),
    ([("Screening", False), ("a", True)], "Screening", ["a"]),
    ([("Height", False), ("l", True), (", weight", False)], "Height, weight", ["l"]),
    ("FEV1", "FEV1", []),
    ("HbA1c", "HbA1c", []),
    ("Visit 12", "Visit 12", []),
    ("COVID-19 test", "COVID-19 test", []),
])
def test_names_lose_their_footnote_markers(runs, name, refs):
    assert normalise_name(runs) == (name, refs)


def test_headers_keep_glued_numbers():
    assert normalise_name("Week12", glued_digits=False) == ("Week12", [])
