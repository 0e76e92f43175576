"""The Grid view shows whole text: long activity names wrap onto rows tall enough for them, visit
columns are as wide as their header lines, tooltips hold the whole text, and no missing-glyph box
from a PDF font is drawn."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QWidget

from soe_desktop.core.grid import MARK, Column, Grid, Row
from soe_desktop.core.grid.edits import apply_edits
from soe_desktop.gui.models.grid_model import ACTIVITY, FIRST_VISIT, GridTableModel
from soe_desktop.gui.views.grid_table import MAX_VISIT_WIDTH, GridTable

LONG_NAME = "Pharmacokinetic blood sampling for obinutuzumab and chemotherapy plasma levels"
PERIOD = "Treatment Phase (Cycles 1–6, every 21 days)"


class _View(QWidget):
    undo_stack = None


def _grid() -> Grid:
    columns = [Column(id=f"c{i}", label=f"{PERIOD} | Cycle {i} | Day 1", parts=[PERIOD, f"Cycle {i}", "Day 1"])
               for i in range(1, 5)]
    rows = [Row(activity=LONG_NAME, marks={"c1": MARK, "c3": MARK}),
            Row(activity="ECG\u25af 12\ufffd-lead \ue012", marks={"c2": MARK}),
            Row(activity="Vital signs", marks={"c1": MARK, "c4": "Day 1 only, before the infusion starts"})]
    return Grid(pages=[1], columns=columns, rows=rows)


@pytest.fixture
def table(qtbot):
    view = _View()
    qtbot.addWidget(view)
    widget = GridTable(view)
    model = GridTableModel(view)
    widget.setModel(model)
    model.set_grid(apply_edits(_grid(), []))
    widget.fit_to_text()
    view.resize(900, 500)
    view.show()
    return widget, model


def _wrapped_height(widget, column: int, text: str) -> int:
    width = widget.columnWidth(column) - 8  # the cell's margins
    return widget.fontMetrics().boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text).height()


def test_a_long_activity_name_wraps_onto_a_row_tall_enough(table):
    widget, model = table
    assert widget.wordWrap() and widget.textElideMode() == Qt.TextElideMode.ElideNone
    assert widget.fontMetrics().horizontalAdvance(LONG_NAME) > widget.columnWidth(ACTIVITY)  # it must wrap
    assert widget.rowHeight(0) >= _wrapped_height(widget, ACTIVITY, LONG_NAME)
    assert widget.rowHeight(0) > widget.rowHeight(1)  # the short name's row stays one line
    text = model.index(2, FIRST_VISIT + 3).data()
    assert widget.rowHeight(2) >= _wrapped_height(widget, FIRST_VISIT + 3, text)
    assert model.index(0, ACTIVITY).data(Qt.ItemDataRole.ToolTipRole).startswith(LONG_NAME)


def test_visit_columns_fit_their_header_lines(table):
    widget, model = table
    header = widget.horizontalHeader()
    for visit in range(4):
        lines = model.headerData(FIRST_VISIT + visit, Qt.Orientation.Horizontal).split("\n")
        assert len(lines) > 3  # the long period wrapped at words, not cut
        assert " ".join(lines) == f"{PERIOD} Cycle {visit + 1} Day 1"
        widest = max(header.fontMetrics().horizontalAdvance(line) for line in lines)
        assert widest < widget.columnWidth(FIRST_VISIT + visit) <= MAX_VISIT_WIDTH
        assert model.headerData(FIRST_VISIT + visit, Qt.Orientation.Horizontal,
                                Qt.ItemDataRole.ToolTipRole).startswith(f"{PERIOD} | Cycle {visit + 1}")
    assert header.height() >= header.fontMetrics().height() * 4


def test_no_missing_glyph_box_is_shown(table):
    _, model = table
    shown = model.index(1, ACTIVITY).data()
    assert shown == "ECG 12 -lead"
    assert not {"\u25af", "\ufffd", "\ue012"} & set(model.index(1, ACTIVITY).data(Qt.ItemDataRole.ToolTipRole))


def test_an_edit_keeps_the_sizes_and_refits_only_its_row(table, monkeypatch):
    widget, model = table
    sizes = widget.section_sizes()
    widths, heights = sizes
    grid = _grid()
    grid.rows[2].activity = LONG_NAME + " " + LONG_NAME  # the edit: row 2 needs more lines now
    model.set_grid(apply_edits(grid, []))  # a model reset, as an edit's refresh does
    monkeypatch.setattr(widget, "fit_to_text", lambda: pytest.fail("an edit refitted the whole grid"))
    widget.keep_sizes(sizes, changed_row=2)
    assert [widget.columnWidth(c) for c in range(model.columnCount())] == widths
    assert widget.rowHeight(0) == heights[0] and widget.rowHeight(2) > heights[2]


def test_a_grid_of_another_shape_is_fitted_in_full(table):
    widget, model = table
    sizes = widget.section_sizes()
    grid = _grid()
    grid.rows.append(Row(activity=LONG_NAME, marks={}))
    model.set_grid(apply_edits(grid, []))
    widget.keep_sizes(sizes, changed_row=0)
    assert widget.rowHeight(3) >= _wrapped_height(widget, ACTIVITY, LONG_NAME)
