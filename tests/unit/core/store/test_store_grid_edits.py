"""Grid edits in the store: append-only, undo appends a retraction, every change audited."""

from __future__ import annotations

import sqlite3

import pytest

from soe_desktop.core.store import Store
from soe_desktop.core.store.grid_edits import GridEdit


def cell_edit(document, value: str, previous: str = "", row: str = "Safety / ECG", column: str = "Day 1") -> GridEdit:
    return GridEdit(document.sha256, "g1", "cell", row, column, value, previous,
                    {"row": {"activity": "ECG", "page": 1, "bbox": [10, 20, 90, 30]}}, "human:ana")


def test_an_edit_is_stored_with_its_anchor_and_audited(store, document):
    edit_id = store.add_grid_edit(cell_edit(document, "X^a", previous=""))
    (stored,) = store.grid_edits(document.sha256, "g1")
    assert (stored.id, stored.value, stored.row_key, stored.column_key) == (edit_id, "X^a", "Safety / ECG", "Day 1")
    assert stored.anchor["row"]["bbox"] == [10, 20, 90, 30] and stored.source == "human:ana"
    (entry,) = store.audit_entries(action="grid.edit", document=document.sha256)
    assert (entry["old_value"], entry["new_value"], entry["source"]) == ("", "X^a", "human:ana")
    assert entry["details"]["edit_id"] == edit_id and entry["subject"] == "cell Safety / ECG @ Day 1"


def test_undo_appends_a_retraction_and_the_earlier_edit_counts_again(store, document):
    first = store.add_grid_edit(cell_edit(document, "X", previous=""))
    second = store.add_grid_edit(cell_edit(document, "Optional", previous="X"))
    store.retract_grid_edit(second, "human:ana")
    assert [e.id for e in store.grid_edits(document.sha256)] == [first]
    history = store.grid_edit_history(document.sha256)
    assert [row["retracts"] for row in history] == [None, None, second]  # nothing deleted
    (entry,) = store.audit_entries(action="grid.retract")
    assert (entry["old_value"], entry["new_value"], entry["details"]["restores"]) == ("Optional", "X", "edit")
    store.retract_grid_edit(first, "human:ana")
    assert store.grid_edits(document.sha256) == []
    assert store.audit_entries(action="grid.retract")[-1]["details"]["restores"] == "extracted"
    with pytest.raises(ValueError):
        store.retract_grid_edit(first, "human:ana")


def test_grid_edits_cannot_be_changed_or_deleted(store, document):
    store.add_grid_edit(cell_edit(document, "X"))
    for statement in ("UPDATE grid_edits SET value = 'Y'", "DELETE FROM grid_edits"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.db.execute(statement)


def test_edits_are_per_grid_and_survive_reopening(db_path, store, document):
    store.add_grid_edit(cell_edit(document, "X"))
    store.add_grid_edit(GridEdit(document.sha256, "g2", "activity", "ECG", "", "ECG 12-lead", "ECG", {}, "human:ana"))
    store.close()
    with Store(db_path) as again:
        assert [e.grid_key for e in again.grid_edits(document.sha256)] == ["g1", "g2"]
        assert [e.target for e in again.grid_edits(document.sha256, "g2")] == ["activity"]


def test_bad_edits_are_refused(store, document):
    with pytest.raises(ValueError):
        store.add_grid_edit(GridEdit(document.sha256, "g1", "footnote", value="x", source="human:ana"))
    with pytest.raises(ValueError):
        store.add_grid_edit(GridEdit(document.sha256, "g1", "cell", value="x"))
    with pytest.raises(KeyError):
        store.add_grid_edit(GridEdit("f" * 64, "g1", "cell", value="x", source="human:ana"))
    assert store.audit_entries(action="grid.edit") == []
