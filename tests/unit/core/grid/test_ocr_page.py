"""OCR'd names: a footnote marker read as a plain letter is split off, a clinical abbreviation is not."""

from __future__ import annotations

import pytest

from soe_desktop.core.grid.marks import normalise_name
from soe_desktop.core.grid.ocr_page import MARKER_SIZE, _box_chars, split_ocr_marker
from soe_desktop.core.grid.table import build_table
from soe_desktop.core.pdf.ocr import OcrBox
from soe_desktop.core.pdf.rotation import UPRIGHT

WHOLE = ["QTc", "QTcF", "QTcB", "LDLc", "HDLc", "HbA1c", "FEV1", "SpO2", "PaCO2", "ECGs", "Vital signs", "Height",
         "12-lead ECG (QTcF)", "ECG-QTc", "Lipids LDLc", "Pulse oximetry SpO2", "Day 1", "Blood pressure"]
MARKED = {
    "SpO2b": ("SpO2", "b"),
    "SpO2 b": ("SpO2", "b"),
    "Pulse oximetry SpO2c": ("Pulse oximetry SpO2", "c"),
    "QTcb": ("QTc", "b"),
    "QTcFa": ("QTcF", "a"),
    "HbA1cd": ("HbA1c", "d"),
    "FEV1 a, b": ("FEV1", "a, b"),
    "Vital signs h": ("Vital signs", "h"),
    "Screening a, b": ("Screening", "a, b"),
    "OPc": ("OP", "c"),
    "UNSd": ("UNS", "d"),
}


@pytest.mark.parametrize("text", WHOLE)
def test_abbreviations_and_plurals_stay_whole(text):
    assert split_ocr_marker(text) == (text, "")


@pytest.mark.parametrize("text", list(MARKED))
def test_a_marker_after_a_word_or_an_abbreviation_is_split_off(text):
    assert split_ocr_marker(text) == MARKED[text]


def test_only_a_whole_abbreviation_counts():
    assert split_ocr_marker("XQTc") == ("XQT", "c")  # not the abbreviation QTc: the shape rule decides
    assert split_ocr_marker("  SpO2b ") == ("SpO2", "b")


def _read_names(names: list[str]) -> list[tuple[str, list[str]]]:
    """Each name in its own OCR box in the first column of a ruled table; the names as read."""
    boxes, cells = [], []
    for index, name in enumerate(names):
        top = 10.0 + 20 * index
        cells += [(0.0, top, 100.0, top + 20), (100.0, top, 150.0, top + 20)]
        boxes += [OcrBox(name, (5.0, top + 5, 60.0, top + 15), 0.9), OcrBox("X", (110.0, top + 5, 120.0, top + 15), 0.9)]
    table = build_table(1, cells, _box_chars(boxes), UPRIGHT, (200.0, 200.0), "camelot-ocr")
    return [normalise_name(cell.runs) for cell in sorted(table.cells, key=lambda c: c.r0) if cell.c0 == 0]


def test_names_read_through_the_ocr_path():
    read = _read_names(["SpO2b", "QTcF", "LDLc", "HbA1c", "Vital signs h", "ECGs"])
    assert read == [("SpO2", ["b"]), ("QTcF", []), ("LDLc", []), ("HbA1c", []), ("Vital signs", ["h"]), ("ECGs", [])]


def test_a_split_marker_is_a_small_character_of_its_own():
    chars = _box_chars([OcrBox("SpO2b", (0.0, 0.0, 40.0, 10.0), 0.9)])
    assert [(char.text, char.size) for char in chars if not char.generated] == [("SpO2", 1.0), ("b", MARKER_SIZE)]
