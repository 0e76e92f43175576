"""Grid review: a stored document's grids with the human edits on top, editing, undo and export.

The GUI's grid view and `soe grid` (for a document in the library) go through these. An edit is
appended to the store at once with its audit entry (human edits are gold: a re-extraction never
overwrites them, it is read again and the edits applied on top); undo appends a retraction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from soe_desktop.core.app.review import reviewer
from soe_desktop.core.errors import SoeError
from soe_desktop.core.grid.edits import (EditTarget, EditedGrid, activity_target, apply_edits, cell_target,
                                         cell_text, column_target, column_text, name_text)
from soe_desktop.core.grid.export import GRID_EXPORTS
from soe_desktop.core.grid.extract import TableReading, extract_grid, read_table
from soe_desktop.core.grid.model import Grid
from soe_desktop.core.jobs import CancelToken
from soe_desktop.core.model import Candidate, Document
from soe_desktop.core.store.grid_edits import GridEdit

EXPORT_FORMATS = tuple(GRID_EXPORTS)


def edited_grid(store, sha256: str, extracted: Grid) -> EditedGrid:
    """`extracted` with the document's edits of that grid applied."""
    return apply_edits(extracted, store.grid_edits(sha256, extracted.group))


def with_edits(store, sha256: str, grids: Sequence[Grid]) -> list[Grid]:
    """The grids as people corrected them (unchanged when the document is not in the library)."""
    if store is None or store.document(sha256) is None:
        return list(grids)
    return [edited_grid(store, sha256, grid).grid for grid in grids]


def extract_group(stored_path: str | Path, members: Sequence[Candidate], ocr: bool = True,
                  cancel: Optional[CancelToken] = None) -> Grid:
    """The grid of one candidate group, as extracted (no edits): the GUI runs this on a worker."""
    return extract_grid(stored_path, members, ocr=ocr, cancel=cancel)


def read_group(stored_path: str | Path, members: Sequence[Candidate], ocr: bool = True,
               cancel: Optional[CancelToken] = None) -> TableReading:
    """The grid of one candidate group or why it has none, by the same rules as `soe grid`
    (core.grid.extract.read_table): the GUI's grid view runs this on a worker."""
    return read_table(stored_path, members, ocr=ocr, cancel=cancel)


def _save(store, sha256: str, grid: Grid, target: EditTarget, value: str, previous: str,
          actor: Optional[str]) -> Optional[int]:
    """Append the edit; None (nothing stored) when it changes nothing."""
    value = value.strip()
    if value == previous:
        return None
    edit = GridEdit(sha256, grid.group, target.target, target.row_key, target.column_key, value, previous,
                    target.anchor, actor or reviewer())
    return store.add_grid_edit(edit)


def edit_cell(store, sha256: str, extracted: Grid, row: int, column: int, value: str,
              actor: Optional[str] = None) -> Optional[int]:
    """Set one visit cell ('X', 'X^a', any text, '' to clear) of row `row`, column `column`
    (indexes into the extracted grid); returns the edit's id, None when nothing changed."""
    shown = edited_grid(store, sha256, extracted).grid.rows[row]
    col_id = extracted.columns[column].id
    previous = cell_text(shown.marks.get(col_id, ""), shown.cell_refs.get(col_id, []))
    return _save(store, sha256, extracted, cell_target(extracted, row, column), value, previous, actor)


def rename_activity(store, sha256: str, extracted: Grid, row: int, name: str,
                    actor: Optional[str] = None) -> Optional[int]:
    """Rename an activity ('Vital signs^3' cites footnote 3); an empty name is refused."""
    if not name.strip():
        raise SoeError("an activity needs a name")
    shown = edited_grid(store, sha256, extracted).grid.rows[row]
    return _save(store, sha256, extracted, activity_target(extracted, row), name,
                 name_text(shown.activity, shown.footnote_refs), actor)


def rename_column(store, sha256: str, extracted: Grid, column: int, label: str,
                  actor: Optional[str] = None) -> Optional[int]:
    """Relabel a visit column ('Treatment | Week 4 | Day 29', parts split on '|'); empty is refused."""
    if not label.replace("|", "").strip():
        raise SoeError("a visit column needs a label")
    shown = edited_grid(store, sha256, extracted).grid.columns[column]
    return _save(store, sha256, extracted, column_target(extracted, column), label, column_text(shown), actor)


def undo_grid_edit(store, edit_id: int, actor: Optional[str] = None) -> int:
    """Retract one edit (appended, audited); what the grid showed before it counts again."""
    return store.retract_grid_edit(edit_id, actor or reviewer())


def export_grids(grids: Sequence[Grid], fmt: str, out: str | Path, store=None, sha256: str = "",
                 actor: Optional[str] = None, document: Optional[Document] = None) -> list[Path]:
    """Write `grids` in a registered grid format (core/grid/export.py GRID_EXPORTS: CSV, XLSX,
    validated USDM JSON, the grid JSON contract); the export is recorded in the library's audit log
    when there is one. Returns the files written."""
    if fmt not in GRID_EXPORTS:
        raise ValueError(f"unknown grid export {fmt!r}; expected one of {', '.join(GRID_EXPORTS)}")
    if not grids:
        raise SoeError("no Schedule of Events grid to export")
    out = Path(out)
    document = document or Document(path="", sha256=sha256, page_count=0)
    try:
        paths = GRID_EXPORTS[fmt].write(grids, out, document)
    except OSError as error:  # disk full, permission denied: the user's to fix
        raise SoeError(f"could not write {out.name}: {error.strerror or error}") from error
    if store is not None:
        store.audit("grid.export", str(out), {"format": fmt, "grids": len(grids), "files": [str(p) for p in paths]},
                    actor or reviewer(), document=sha256, new=str(out))
    return paths

