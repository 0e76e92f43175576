"""The one rule that keeps PDF text from becoming a spreadsheet formula, and the writers that apply it."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from soe_desktop.core.store.safe_text import (
    SafeCsvWriter,
    SafeDictWriter,
    looks_like_formula,
    safe_cell,
    safe_text,
    set_text_cell,
    text_cells,
)

HONEST = ["-8", "+3", "-28 to -1", "-3 \u2013 +3 days", "+/-", "+/- 2 days", "\u00b13", "-", "-1.5", "-10%", "-8 d",
          "Week -8", "Vital signs", "X [a, b]", "", " -8", "'already quoted", "\u22128", "--", "+"]
HOSTILE = ["=1+1", "-1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "-A1", "-3/+3",
           "\t-8", "\r=1+1", "\0=1", " =1+1", "=", "@", "\uff1d1+1", "-2*3", "+1 day=1"]


@pytest.mark.parametrize("text", HONEST)
def test_numbers_windows_and_plain_text_stay_as_printed(text):
    assert not looks_like_formula(text)
    assert safe_text(text) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_looking_text_gets_a_leading_quote(text):
    assert looks_like_formula(text)
    assert safe_text(text) == "'" + text


def test_only_strings_change():
    assert [safe_cell(value) for value in (-8, 0.5, True, None)] == [-8, 0.5, True, None]
    assert safe_cell("=1") == "'=1"


def test_csv_writer_quotes_every_field_and_neutralises_formulas():
    out = io.StringIO()
    SafeCsvWriter(out).writerows([["=1+1", "-8", 3, "a;=2+2"]])
    assert out.getvalue() == "\"'=1+1\",\"-8\",\"3\",\"a;=2+2\"\r\n"  # ';' cannot start a cell in a ';' locale
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "-8", "3", "a;=2+2"]


def test_dict_writer_applies_the_rule_to_writerow_and_writerows():
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=("name", "n"), extrasaction="ignore")
    writer.writeheader()
    writer.writerow({"name": "@SUM(A1)", "n": -8, "ignored": "=1"})
    writer.writerows([{"name": "-28 to -1", "n": None}])
    assert list(csv.DictReader(io.StringIO(out.getvalue()))) == [{"name": "'@SUM(A1)", "n": "-8"},
                                                                  {"name": "-28 to -1", "n": ""}]


def test_xlsx_strings_read_back_as_strings_never_formulas(tmp_path):
    workbook = Workbook()
    values = ['=HYPERLINK("x")', "-1+1", "-8", 5, None]
    for column, value in enumerate(values, start=1):
        set_text_cell(workbook.active.cell(1, column), value)
    workbook.save(tmp_path / "a.xlsx")
    row = load_workbook(tmp_path / "a.xlsx").active[1]
    assert [cell.value for cell in row[:4]] == values[:4]  # the text itself, no quote added
    assert [cell.data_type for cell in row[:4]] == ["s", "s", "s", "n"]
    assert [cell.quotePrefix for cell in row[:4]] == [True, True, False, False]


def test_write_only_cells_are_strings_too(tmp_path):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    sheet.append(text_cells(sheet, ["=1+1", "@A1", -8, True]))
    sheet.append(["=1+1"])  # what openpyxl does with a plain string: the danger this module removes
    workbook.save(tmp_path / "w.xlsx")
    rows = list(load_workbook(tmp_path / "w.xlsx").active.iter_rows())
    assert [(cell.value, cell.data_type) for cell in rows[0]] == [("=1+1", "s"), ("@A1", "s"), (-8, "n"), (True, "b")]
    assert rows[1][0].data_type == "f"
