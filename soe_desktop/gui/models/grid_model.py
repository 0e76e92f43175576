"""The grid view's table model: one SoE grid (with the human edits applied) as rows x columns.

Columns: the activity name, its section, then one per visit (flattened header label, its levels one
a line, a long level wrapped at words so the column stays narrow). Cells show 'X', text, and footnote
refs as '^a' (the form a person types back), without the glyphs no font draws (core.pdf.display_text);
each tooltip starts with the whole text, in case a column's width still cuts it. Edited cells are shaded, and
cells the two readings disagree on (`Row.uncertain`, not edited since) are hatched amber, in
row order for the view's "Next uncertain cell".
Editing does not change the model: it asks (`edit_requested`) and the view stores the edit through
the core, then hands the model the grid again. Also maps between cells and where they were printed
(page, box in PDF points), both ways, for the page highlight and page clicks.
"""

from __future__ import annotations

import textwrap
from typing import Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from soe_desktop.core.grid.edits import EditedGrid, cell_text, column_text, name_text
from soe_desktop.core.grid.model import Column, Grid, Row, Source
from soe_desktop.core.pdf.display_text import display_text

ACTIVITY, SECTION, FIRST_VISIT = 0, 1, 2
EDITED = QBrush(QColor(255, 243, 190))
UNCERTAIN = QBrush(QColor(240, 150, 40), Qt.BrushStyle.BDiagPattern)  # hatched amber: check this cell
DISAGREE = "the two readings disagree: check this cell against the page"
Box = tuple[int, tuple[float, float, float, float]]  # (page, bbox)
HEADER_LINE_CHARS = 18  # a header level longer than this wraps at words (no word is cut)


def header_lines(column: Column) -> str:
    """A visit header as shown: each level on its own line, a long level wrapped at words."""
    parts = column_text(column).split(" | ")
    return "\n".join(line for part in parts
                     for line in textwrap.wrap(display_text(part), HEADER_LINE_CHARS, break_long_words=False) or [""])


class GridTableModel(QAbstractTableModel):
    edit_requested = Signal(str, int, int, str)  # target ('cell' | 'activity' | 'column'), row, visit column, text

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.edited: Optional[EditedGrid] = None

    @property
    def grid(self) -> Optional[Grid]:
        return self.edited.grid if self.edited else None

    def set_grid(self, edited: Optional[EditedGrid]) -> None:
        self.beginResetModel()
        self.edited = edited
        self.endResetModel()

    # ----- shape and contents -------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else FIRST_VISIT + len(self.grid.columns)

    def _text(self, row: Row, column: int) -> str:
        if column == ACTIVITY:
            return name_text(row.activity, row.footnote_refs)
        if column == SECTION:
            return row.section
        col_id = self.grid.columns[column - FIRST_VISIT].id
        return cell_text(row.marks.get(col_id, ""), row.cell_refs.get(col_id, []))

    def _edit_at(self, row: int, column: int):
        if column == ACTIVITY:
            return self.edited.edited_rows.get(row)
        if column >= FIRST_VISIT:
            return self.edited.edited_cells.get((row, self.grid.columns[column - FIRST_VISIT].id))
        return None

    def _refs_at(self, row: Row, column: int) -> list[str]:
        if column == ACTIVITY:
            return row.footnote_refs
        if column >= FIRST_VISIT:
            return row.cell_refs.get(self.grid.columns[column - FIRST_VISIT].id, [])
        return []

    def _tooltip(self, row: int, column: int) -> str:
        item = self.grid.rows[row]
        text = display_text(self._text(item, column))
        lines = [text] if len(text) > 1 else []  # the whole text (a mark 'X' needs no tooltip)
        lines += [f"{ref}: {display_text(self.grid.footnotes.get(ref, '(footnote not found)'))}"
                  for ref in self._refs_at(item, column)]
        edit = self._edit_at(row, column)
        if edit is not None:
            lines.append(f"edited by {edit.source} at {edit.created_at[:19].replace('T', ' ')}")
        elif self.is_uncertain(row, column):
            lines.append(DISAGREE)
        return "\n".join(lines)

    def is_uncertain(self, row: int, column: int) -> bool:
        """A visit cell the second reading disagrees on, and no person has edited since."""
        if self.grid is None or column < FIRST_VISIT or not 0 <= row < len(self.grid.rows):
            return False
        col_id = self.grid.columns[column - FIRST_VISIT].id
        return col_id in self.grid.rows[row].uncertain and self._edit_at(row, column) is None

    def uncertain_cells(self) -> list[tuple[int, int]]:
        """(row, model column) of every uncertain cell, row by row, left to right."""
        if self.grid is None:
            return []
        index = {column.id: FIRST_VISIT + i for i, column in enumerate(self.grid.columns)}
        return [(r, index[col]) for r, row in enumerate(self.grid.rows) for col in sorted(row.uncertain, key=index.get)
                if col in index and self.is_uncertain(r, index[col])]

    def next_uncertain(self, row: int, column: int) -> Optional[tuple[int, int]]:
        """The first uncertain cell after (row, column) in reading order, wrapping round; None
        when there is none."""
        cells = self.uncertain_cells()
        return next((cell for cell in cells if cell > (row, column)), cells[0] if cells else None)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.grid is None:
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(self._text(self.grid.rows[row], column))
        if role == Qt.ItemDataRole.EditRole:
            return self._text(self.grid.rows[row], column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column) or None
        if role == Qt.ItemDataRole.BackgroundRole and self._edit_at(row, column) is not None:
            return EDITED
        if role == Qt.ItemDataRole.BackgroundRole and self.is_uncertain(row, column):
            return UNCERTAIN
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= FIRST_VISIT:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if self.grid is None or orientation != Qt.Orientation.Horizontal:
            return super().headerData(section, orientation, role)
        if section >= FIRST_VISIT:
            column = self.grid.columns[section - FIRST_VISIT]
            if role == Qt.ItemDataRole.DisplayRole:
                return header_lines(column)
            if role == Qt.ItemDataRole.ToolTipRole:
                edit = self.edited.edited_columns.get(column.id)
                notes = [f"{ref}: {display_text(self.grid.footnotes.get(ref, ''))}" for ref in column.footnote_refs]
                return "\n".join([display_text(column.label), *notes] + ([f"edited by {edit.source}"] if edit else []))
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ("Activity", "Section")[section]
        return None

    def flags(self, index: QModelIndex):
        flags = super().flags(index)
        if index.isValid() and index.column() != SECTION:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Ask for the edit to be stored; the model changes when the view reloads the grid."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() == SECTION:
            return False
        text = str(value).strip()
        if text == self.data(index, Qt.ItemDataRole.EditRole):
            return False
        if index.column() == ACTIVITY:
            self.edit_requested.emit("activity", index.row(), -1, text)
        else:
            self.edit_requested.emit("cell", index.row(), index.column() - FIRST_VISIT, text)
        return True

    # ----- where cells were printed -------------------------------------------------------------
    def _column_box(self, visit: int, page: int) -> Optional[Source]:
        sources = self.grid.columns[visit].sources
        return next((s for s in sources if s.page == page), sources[0] if sources else None)

    def source_of(self, row: int, column: int) -> Optional[Box]:
        """The page and box of a cell as printed: its own box, else its row's band across its
        column's header box (an empty cell has no box of its own)."""
        if self.grid is None or not 0 <= row < len(self.grid.rows):
            return None
        item = self.grid.rows[row]
        if column < FIRST_VISIT:
            return (item.source.page, item.source.bbox) if item.source else None
        col_id = self.grid.columns[column - FIRST_VISIT].id
        own = item.cell_sources.get(col_id)
        if own is not None:
            return own.page, own.bbox
        header = self._column_box(column - FIRST_VISIT, item.source.page) if item.source else None
        if header is None:
            return None
        return item.source.page, (header.bbox[0], item.source.bbox[1], header.bbox[2], item.source.bbox[3])

    def header_source(self, visit: int) -> Optional[Box]:
        column = self.grid.columns[visit] if self.grid else None
        return (column.sources[0].page, column.sources[0].bbox) if column and column.sources else None

    def cell_at(self, page: int, x: float, y: float) -> Optional[tuple[int, int]]:
        """(row, model column) printed at a point of a page; row -1 for a visit header; None outside."""
        if self.grid is None:
            return None
        column = self._column_at(page, x)
        for row, item in enumerate(self.grid.rows):
            box = item.source
            if box is None or box.page != page or not box.bbox[1] <= y <= box.bbox[3]:
                continue
            if box.bbox[0] <= x <= box.bbox[2]:
                return row, ACTIVITY
            if column is not None:
                return row, FIRST_VISIT + column
        for visit, item in enumerate(self.grid.columns):
            if any(s.page == page and s.bbox[0] <= x <= s.bbox[2] and s.bbox[1] <= y <= s.bbox[3] for s in item.sources):
                return -1, FIRST_VISIT + visit
        return None

    def _column_at(self, page: int, x: float) -> Optional[int]:
        for visit in range(len(self.grid.columns)):
            box = self._column_box(visit, page)
            if box is not None and box.bbox[0] <= x <= box.bbox[2]:
                return visit
        return None
