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


def test_a_running_page_footer_is_not_a_footnote():
    """Roche's footer "<page>/Protocol <id>, Version <n>" once became footnote "12" ("3/Protocol ...")."""
    notes = parse_footnotes(_lines("a. Performed pre-dose.", "123/Protocol MO40597, Version 6",
                                   "Page 12 of 140", "b. Fasting sample."))
    assert notes == {"a": "Performed pre-dose.", "b": "Fasting sample."}


def test_the_footer_ends_the_footnote_above_it():
    notes = parse_footnotes(_lines("z. Only at site visits.", "12/Protocol WA42380, Version 3", "Confidential"))
    assert notes == {"z": "Only at site visits."}


def test_digits_glued_to_more_digits_are_no_marker():
    assert parse_footnotes(_lines("2024 data are kept.", "15mg dose")) == {}


def test_a_marker_alone_on_its_line_takes_the_next_line_for_every_letter():
    letters = "abcdefghijklmnopqrstuvwxyz"
    lines = [text for letter in letters for text in (letter, f"Note for {letter.upper()} visits.", "continued.")]
    lines += ["aa", "Safety follow-up at 3 months."]
    notes = parse_footnotes(_lines(*lines))
    assert notes == {**{letter: f"Note for {letter.upper()} visits. continued." for letter in letters},
                     "aa": "Safety follow-up at 3 months."}


def test_a_short_word_alone_on_a_wrapped_line_is_no_marker():
    notes = parse_footnotes(_lines("a. Samples are taken and sent", "to", "the central laboratory."))
    assert notes == {"a": "Samples are taken and sent to the central laboratory."}


def test_an_abbreviation_after_a_bracket_is_no_marker():
    notes = parse_footnotes(_lines("(a)PTT=(activated) partial thromboplastin time; D=day", "(b) Only at screening."))
    assert notes == {"b": "Only at screening."}


class _Reader:
    pdfium = [None] * 12  # a 12-page document


def _cited_grid(refs):
    from soe_desktop.core.grid import MARK, Column, Grid, Row

    return Grid(pages=[3], columns=[Column(id="c1", label="Day 1")],
                rows=[Row(activity=f"Activity {ref}", footnote_refs=[ref], marks={"c1": MARK}) for ref in refs],
                footnotes={"a": "Under the table."})


def test_footnotes_continue_over_the_pages_after_the_table(monkeypatch):
    """A long footnote list (a-e under the table, f-z over the next pages) is read to its end, and
    a page that carries none of the missing refs ends it (its items are not the table's)."""
    from soe_desktop.core.grid import extract

    pages = {4: {"b": "On page 4.", "c": "Also page 4.", "9": "A dated list item."}, 5: {"j": "On page 5."},
             6: {"1": "Another section's list."}, 7: {"z": "Too far."}}
    monkeypatch.setattr(extract, "footnote_page", lambda reader, number: pages.get(number, {}))
    grid = _cited_grid(["a", "b", "c", "j", "z"])
    extract._footnote_pages(_Reader(), grid, 4)
    assert grid.footnotes == {"a": "Under the table.", "b": "On page 4.", "c": "Also page 4.", "j": "On page 5."}


def test_no_footnote_page_is_read_when_none_is_missing(monkeypatch):
    from soe_desktop.core.grid import extract

    read = []
    monkeypatch.setattr(extract, "footnote_page", lambda reader, number: read.append(number) or {})
    extract._footnote_pages(_Reader(), _cited_grid(["a"]), 4)
    assert read == []
