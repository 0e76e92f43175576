"""Footnotes under a grid: markers, wrapped lines, markers pdfium joins to the line above."""

from soe_desktop.core.grid.footnotes import parse_footnotes


def _lines(*texts):
    return [[(text, False)] for text in texts]


def test_markers_of_every_spelling_and_wrapped_lines():
    notes = parse_footnotes(_lines("a. Performed pre-dose.", "1) Within 28 days of Day 1", "of the study.",
                                   "(b) Only at site visits.", "\u00b2 Fasting sample.", "* Optional."))
    assert notes == {"a": "Performed pre-dose.", "1": "Within 28 days of Day 1 of the study.",
                     "b": "Only at site visits.", "2": "Fasting sample.", "*": "Optional."}


def test_abbreviations_end_the_footnote_above():
    notes = parse_footnotes(_lines("1. Vital signs include pulse.", "Abbreviations: ECG = electrocardiogram",
                                   "AE = adverse event"))
    assert notes == {"1": "Vital signs include pulse."}


def test_small_marker_joined_to_the_previous_line_starts_a_footnote():
    line = [("a", True), (" Within 42 days of dosing. Details in Section 8. ", False), ("b", True),
            (" Participants are admitted.", False)]
    assert parse_footnotes([line]) == {"a": "Within 42 days of dosing. Details in Section 8.",
                                       "b": "Participants are admitted."}


def test_a_wrapped_line_starting_with_a_short_word_is_not_a_footnote():
    notes = parse_footnotes(_lines("a. Samples are taken", "to be analysed centrally."))
    assert notes == {"a": "Samples are taken to be analysed centrally."}
