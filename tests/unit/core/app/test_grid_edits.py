"""Grid review workflow: human edits of a stored document's grid survive re-extraction (and reach
`soe grid`'s path), undo restores what was read, every change is audited, exports carry the edits."""

from __future__ import annotations

import csv
import json

import pytest

from soe_desktop.core.app.grid import document_grids
from soe_desktop.core.app.grid_edits import (edit_cell, edited_grid, export_grids, extract_group, rename_activity,
                                             rename_column, undo_grid_edit)
from soe_desktop.core.app.ingest import ingest_document
from soe_desktop.core.errors import SoeError
from soe_desktop.core.grid import MARK
from soe_desktop.core.grid.usdm import validation_errors
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf

ACTOR = "human:ana"


@pytest.fixture
def library(tmp_path):
    """A store holding one ingested two-page synthetic grid; (store, sha256, stored path, members)."""
    pdf = tmp_path / "grid.pdf"
    write_grid_pdf(pdf, 5, GridOptions(pages=2, visit_count=6))
    store = Store(tmp_path / "soe.db")
    result = ingest_document(pdf, Settings(data_dir=str(tmp_path), auto_accept_threshold=0.0), store)
    document = store.document(result.sha256)
    candidates = store.candidates(result.sha256)
    labels = store.effective_labels(result.sha256)
    group = next(c.group for c in candidates if labels[c.id].is_soe)
    members = [c for c in candidates if c.group == group]
    yield store, result.sha256, document["stored_path"], members, pdf
    store.close()


def empty_cell(grid) -> tuple[int, int]:
    return next((r, c) for r, row in enumerate(grid.rows) for c, col in enumerate(grid.columns)
                if col.id not in row.marks)


def test_edits_survive_re_extraction_and_reach_soe_grid(library, tmp_path):
    store, sha, stored, members, pdf = library
    grid = extract_group(stored, members)
    row, col = empty_cell(grid)
    col_id = grid.columns[col].id
    assert edit_cell(store, sha, grid, row, col, "X^a", ACTOR) is not None
    assert rename_activity(store, sha, grid, 0, "Informed consent (signed)", ACTOR) is not None
    assert rename_column(store, sha, grid, 1, "Treatment | Day 1 | Baseline", ACTOR) is not None
    store.close()
    with Store(tmp_path / "soe.db") as again:  # reopened, and the grid read again from the PDF
        shown = edited_grid(again, sha, extract_group(stored, members)).grid
        assert shown.rows[row].marks[col_id] == MARK and shown.rows[row].cell_refs[col_id] == ["a"]
        assert shown.rows[0].activity == "Informed consent (signed)"
        assert shown.columns[1].label == "Treatment | Day 1 | Baseline"
        (main,) = [g for g in document_grids(pdf, store=again).grids if g.group == grid.group]
        assert main.rows[row].marks[col_id] == MARK and main.rows[0].activity == "Informed consent (signed)"
    assert document_grids(pdf).grids[0].rows[0].activity == grid.rows[0].activity  # no library: as read


def test_undo_restores_the_extracted_cell_and_everything_is_audited(library):
    store, sha, stored, members, _ = library
    grid = extract_group(stored, members)
    row = next(r for r, item in enumerate(grid.rows) if item.marks)
    col = next(c for c, column in enumerate(grid.columns) if column.id in grid.rows[row].marks)
    col_id = grid.columns[col].id
    first = edit_cell(store, sha, grid, row, col, "", ACTOR)  # a mark the person says is not there
    second = edit_cell(store, sha, grid, row, col, "Optional", ACTOR)
    assert edit_cell(store, sha, grid, row, col, "Optional", ACTOR) is None  # no change, nothing stored
    assert edited_grid(store, sha, grid).grid.rows[row].marks[col_id] == "Optional"
    undo_grid_edit(store, second, ACTOR)
    assert col_id not in edited_grid(store, sha, grid).grid.rows[row].marks
    undo_grid_edit(store, first, ACTOR)
    assert edited_grid(store, sha, grid).grid.rows[row].marks == grid.rows[row].marks
    edits = store.audit_entries(action="grid.edit", document=sha)
    assert [(e["old_value"], e["new_value"]) for e in edits] == [(MARK, ""), ("", "Optional")]
    assert all(e["os_user"] is not None and e["source"] == ACTOR for e in edits)
    assert [e["new_value"] for e in store.audit_entries(action="grid.retract", document=sha)] == ["", MARK]


def test_empty_names_are_refused(library):
    store, sha, stored, members, _ = library
    grid = extract_group(stored, members)
    with pytest.raises(SoeError):
        rename_activity(store, sha, grid, 0, "  ", ACTOR)
    with pytest.raises(SoeError):
        rename_column(store, sha, grid, 0, " | ", ACTOR)
    assert store.grid_edits(sha) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "usdm"])
def test_exports_carry_the_edits_and_are_audited(library, tmp_path, fmt):
    store, sha, stored, members, _ = library
    grid = extract_group(stored, members)
    rename_activity(store, sha, grid, 0, "Consent, edited", ACTOR)
    shown = edited_grid(store, sha, grid).grid
    out = tmp_path / f"grid.{'json' if fmt == 'usdm' else fmt}"
    paths = export_grids([shown], fmt, out, store, sha, ACTOR)
    assert all(path.exists() for path in paths)
    if fmt == "csv":
        assert "Consent, edited" in list(csv.reader(open(paths[0], encoding="utf-8")))[1]
    elif fmt == "usdm":
        document = json.loads(out.read_text(encoding="utf-8"))
        assert validation_errors(document) == []
        assert "Consent, edited" in out.read_text(encoding="utf-8")
    (entry,) = store.audit_entries(action="grid.export", document=sha)
    assert entry["details"]["format"] == fmt
    with pytest.raises(SoeError):
        export_grids([], fmt, out)
