"""Label, label-history and SoE-page exports: a file name or reason that starts like a formula is
written as text in CSV and XLSX (formula injection), numbers stay numbers."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from store_factories import label, make_candidate, make_document, make_pages

from soe_desktop.core.store.exports import export_effective_labels, export_labels, export_soe_pages

HOSTILE_NAME = '=HYPERLINK("http://x","y").pdf'
HOSTILE_REASON = "@SUM(A1) looks like a schedule"


@pytest.fixture
def hostile(store):
    doc = make_document("hostile")
    store.add_document(doc, stored_path=f"/data/{doc.sha256}.pdf", filename=HOSTILE_NAME)
    store.add_pages(doc.sha256, make_pages(2))
    store.replace_candidates(doc.sha256, [make_candidate(doc, "h1", page=1)])
    store.add_labels([label("h1", True, "heuristic", 0.9, reason=HOSTILE_REASON)])
    return doc


def _csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("export", [export_labels, export_effective_labels])
def test_label_csv_quotes_formula_looking_text(store, hostile, tmp_path, export):
    assert export(store, tmp_path / "labels.csv") == 1
    (row,) = _csv(tmp_path / "labels.csv")
    assert row["filename"] == "'" + HOSTILE_NAME
    assert row["page"] == "1" and row["confidence"] == "0.9"  # numbers as they were
    if "reason" in row:
        assert row["reason"] == "'" + HOSTILE_REASON


def test_label_history_xlsx_has_no_formula_cell(store, hostile, tmp_path):
    export_labels(store, tmp_path / "labels.xlsx")
    sheet = load_workbook(tmp_path / "labels.xlsx")["labels"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in next(sheet.iter_rows())]
    values = dict(zip(header, (cell.value for cell in list(sheet.iter_rows())[1])))
    assert values["filename"] == HOSTILE_NAME and values["reason"] == HOSTILE_REASON  # the text itself
    assert values["page"] == 1 and values["is_soe"] is True


def test_soe_pages_csv_and_xlsx_are_safe(store, hostile, tmp_path):
    export_soe_pages(store, tmp_path / "soe.csv")
    assert _csv(tmp_path / "soe.csv")[0]["filename"] == "'" + HOSTILE_NAME
    export_soe_pages(store, tmp_path / "soe.xlsx")
    cells = [cell for row in load_workbook(tmp_path / "soe.xlsx").active.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert HOSTILE_NAME in [cell.value for cell in cells]
