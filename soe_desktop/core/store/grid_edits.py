"""Human edits of extracted SoE grids: append-only rows (migration m007), audited like labels.

A mixin of `Store` (see database.py), relying on `self._transaction()`, `self._read()`, `self.db`
and the audit mixin's `self._audit`. The store keeps plain data only: which grid (document sha256
and the grid's key, its candidate group), which target (a cell, an activity name or a column
header, named by row and column keys) and the text a person typed, plus an anchor (the extracted
text and printed position of that row and column) that `core/grid/edits.py` uses to find the cell
again after a re-extraction. Undo appends a retraction; nothing is ever updated or deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from soe_desktop.core.model import utc_now
from soe_desktop.core.store.audit import os_user

GRID_TARGETS = ("cell", "activity", "column")


@dataclass(frozen=True)
class GridEdit:
    """One edit as stored. `row_key` is empty for a column edit, `column_key` for an activity edit."""

    document_sha256: str
    grid_key: str
    target: str  # one of GRID_TARGETS
    row_key: str = ""
    column_key: str = ""
    value: str = ""  # what the person typed ("" clears a cell)
    previous: str = ""  # what the grid showed before, for the audit log's old -> new
    anchor: dict = field(default_factory=dict)
    source: str = ""  # human:<login>
    id: int | None = None
    created_at: str = ""
    os_user: str = ""

    @property
    def target_key(self) -> tuple[str, str, str]:
        return (self.target, self.row_key, self.column_key)


def _row_to_edit(row: dict) -> GridEdit:
    return GridEdit(row["document_sha256"], row["grid_key"], row["target"], row["row_key"], row["column_key"],
                    row["value"], row["previous"], json.loads(row["anchor_json"] or "{}"), row["source"],
                    row["id"], row["created_at"], row["os_user"])


def _subject(edit: GridEdit) -> str:
    """How the audit log names the edited target: 'cell Vital signs @ Day 1', 'activity ...'."""
    if edit.target == "cell":
        return f"cell {edit.row_key} @ {edit.column_key}"
    return f"{edit.target} {edit.row_key or edit.column_key}"


class GridEditsMixin:
    """Grid-edit methods of the Store."""

    def add_grid_edit(self, edit: GridEdit) -> int:
        """Append one human edit and its 'grid.edit' audit entry in one transaction; returns its id."""
        if edit.target not in GRID_TARGETS:
            raise ValueError(f"grid edit target must be one of {GRID_TARGETS}, got {edit.target!r}")
        if not edit.source:
            raise ValueError("a grid edit needs its source (who made it)")
        with self._transaction():
            self._require_document(edit.document_sha256)
            row = {
                "document_sha256": edit.document_sha256, "grid_key": edit.grid_key, "target": edit.target,
                "row_key": edit.row_key, "column_key": edit.column_key, "value": edit.value,
                "previous": edit.previous, "anchor_json": json.dumps(edit.anchor, ensure_ascii=False, sort_keys=True),
                "source": edit.source, "os_user": os_user(), "created_at": utc_now(), "retracts": None,
            }
            edit_id = self.db["grid_edits"].insert(row).last_pk
            self._audit("grid.edit", _subject(edit), {"edit_id": edit_id, "grid": edit.grid_key, "target": edit.target,
                                                      "row": edit.row_key, "column": edit.column_key},
                        edit.source, document=edit.document_sha256, old=edit.previous, new=edit.value,
                        source=edit.source)
            return edit_id

    def retract_grid_edit(self, edit_id: int, actor: str) -> int:
        """Undo one edit by appending its retraction (audited 'grid.retract': old = the undone value,
        new = what counts for that target now); returns the retraction's id."""
        with self._transaction():
            found = self._read("SELECT * FROM grid_edits WHERE id = ? AND retracts IS NULL", [edit_id])
            if not found:
                raise KeyError(f"no grid edit {edit_id}")
            if self._read("SELECT 1 FROM grid_edits WHERE retracts = ?", [edit_id]):
                raise ValueError(f"grid edit {edit_id} is already undone")
            target = _row_to_edit(found[0])
            row = {**{key: value for key, value in found[0].items() if key != "id"},
                   "source": actor, "os_user": os_user(), "created_at": utc_now(), "retracts": edit_id}
            retraction_id = self.db["grid_edits"].insert(row).last_pk
            still = [e for e in self.grid_edits(target.document_sha256, target.grid_key)
                     if e.target_key == target.target_key]
            self._audit("grid.retract", _subject(target), {"edit_id": edit_id, "retraction_id": retraction_id,
                                                           "grid": target.grid_key, "target": target.target,
                                                           "restores": "edit" if still else "extracted"},
                        actor, document=target.document_sha256, old=target.value,
                        new=still[-1].value if still else target.previous, source=actor)
            return retraction_id

    def grid_edits(self, sha256: str, grid_key: str | None = None) -> list[GridEdit]:
        """The edits that count (not retracted, retractions left out), oldest first: applied in this
        order, the latest edit of a target wins."""
        where, params = ("AND e.grid_key = ?", [sha256, grid_key]) if grid_key is not None else ("", [sha256])
        found = self._read(
            f"""SELECT e.* FROM grid_edits e LEFT JOIN grid_edits r ON r.retracts = e.id
                WHERE e.document_sha256 = ? {where} AND e.retracts IS NULL AND r.id IS NULL ORDER BY e.id""",
            params,
        )
        return [_row_to_edit(row) for row in found]

    def grid_edit_history(self, sha256: str) -> list[dict]:
        """Every grid-edit row of a document, retractions included, oldest first (plain dicts)."""
        found = self._read("SELECT * FROM grid_edits WHERE document_sha256 = ? ORDER BY id", [sha256])
        return [{**_row_to_edit(row).__dict__, "retracts": row["retracts"]} for row in found]
