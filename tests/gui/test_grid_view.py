"""The Grid view beside the page: the selected SoE table's grid, page <-> cell links, edits that are
stored at once and survive a re-extraction, Ctrl+Z, and exports."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPointF, Qt

from gui_test_helpers import drop_files, wait_for_queue
from soe_desktop.core.grid import MARK
from soe_desktop.core.grid.usdm import validation_errors
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf
from soe_desktop.gui.models.grid_model import ACTIVITY, FIRST_VISIT


@pytest.fixture(scope="module")
def grid_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid_view") / "grid_protocol.pdf"
    return path, write_grid_pdf(path, 5, GridOptions(pages=2, visit_count=6))


@pytest.fixture
def shown(make_window, grid_pdf, qtbot):
    """A window that ingested the grid PDF and shows its grid."""
    window = make_window()
    assert drop_files(window, [grid_pdf[0]])
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(lambda: window.grid_view.current_grid is not None, timeout=30_000)
    return window, grid_pdf[1]


def commit(qtbot, view, index, text: str) -> None:
    """What the cell editor does on Enter; the edit is stored once the event loop turns."""
    stored = len(view.store.grid_edits(view.sha256))
    assert view.model.setData(index, text)
    qtbot.waitUntil(lambda: len(view.store.grid_edits(view.sha256)) > stored, timeout=5_000)


def empty_cell(grid) -> tuple[int, int]:
    return next((r, c) for r, row in enumerate(grid.rows) for c, col in enumerate(grid.columns) if col.id not in row.marks)


def scene_rect(window, page: int, bbox):
    origin = window.page_view.page_rect(page).topLeft()
    return (origin.x() + bbox[0], origin.y() + bbox[1], origin.x() + bbox[2], origin.y() + bbox[3])


def test_the_view_shows_the_selected_tables_grid(shown):
    window, truth = shown
    view, model = window.grid_view, window.grid_view.model
    grid = view.current_grid
    assert grid.pages == [1, 2] and model.rowCount() == len(grid.rows) == len(truth.rows)
    assert model.columnCount() == FIRST_VISIT + len(truth.columns)
    labels = [model.headerData(FIRST_VISIT + i, Qt.Orientation.Horizontal) for i in range(len(grid.columns))]
    # each header level on its lines (a long level wrapped at words): the same words as the label
    assert [" ".join(label.split()) for label in labels] == [" ".join(c.label.replace(" | ", " ").split())
                                                             for c in grid.columns]
    activities = [model.index(r, ACTIVITY).data() for r in range(model.rowCount())]
    assert {row.activity for row in truth.rows} <= {a.split("^")[0] for a in activities}
    cited = next(r for r, row in enumerate(grid.rows) if row.footnote_refs)
    assert model.index(cited, ACTIVITY).data().endswith("^" + ",".join(grid.rows[cited].footnote_refs))
    assert model.index(cited, ACTIVITY).data(Qt.ItemDataRole.ToolTipRole)  # the footnote's text
    marked = next((r, c) for r, row in enumerate(grid.rows) for c, col in enumerate(grid.columns) if col.id in row.marks)
    assert model.index(marked[0], FIRST_VISIT + marked[1]).data().startswith(MARK)


def test_selecting_a_cell_highlights_its_box_on_the_page(shown):
    window, _ = shown
    grid = window.grid_view.current_grid
    row = len(grid.rows) - 1  # on the second page
    col_id = next(iter(grid.rows[row].marks))
    column = [c.id for c in grid.columns].index(col_id)
    window.grid_view.table.setCurrentIndex(window.grid_view.model.index(row, FIRST_VISIT + column))
    source = grid.rows[row].cell_sources[col_id]
    rect = window.page_view.highlighted
    assert rect is not None and source.page == 2
    expected = scene_rect(window, source.page, source.bbox)
    assert (rect.left(), rect.top(), rect.right(), rect.bottom()) == pytest.approx(expected, abs=0.01)
    visible = window.page_view.mapToScene(window.page_view.viewport().rect()).boundingRect()
    assert visible.intersects(rect)  # scrolled to that page


def test_a_click_on_the_page_selects_the_grid_cell(shown, qtbot):
    window, _ = shown
    grid, view = window.grid_view.current_grid, window.page_view
    row, column = empty_cell(grid)
    window.grid_view.table.setCurrentIndex(window.grid_view.model.index(row, ACTIVITY))  # scrolls to that row
    box = window.grid_view.model.source_of(row, FIRST_VISIT + column)
    x0, top, x1, bottom = scene_rect(window, *box)
    view.centerOn(QPointF((x0 + x1) / 2, (top + bottom) / 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(QPointF((x0 + x1) / 2, (top + bottom) / 2)))
    current = window.grid_view.table.currentIndex()
    assert (current.row(), current.column()) == (row, FIRST_VISIT + column)


def test_an_edit_is_stored_survives_re_extraction_and_ctrl_z_undoes_it(shown, qtbot):
    window, _ = shown
    view, store, sha = window.grid_view, window.store, window.open_sha
    grid = view.current_grid
    row, column = empty_cell(grid)
    index = view.model.index(row, FIRST_VISIT + column)
    commit(qtbot, view, index, "X^a")
    assert view.model.index(row, FIRST_VISIT + column).data() == "X^a"
    (edit,) = store.grid_edits(sha)
    assert (edit.value, edit.source) == ("X^a", window.session.actor)
    assert store.audit_entries(action="grid.edit", document=sha)[-1]["new_value"] == "X^a"
    view.extracted.clear()  # read the grid again from the PDF, as a reopened library would
    window.session.load("")
    window.show_document(sha)
    qtbot.waitUntil(lambda: view.current_grid is not None, timeout=30_000)
    assert view.model.index(row, FIRST_VISIT + column).data() == "X^a"
    window.session.decide(True, "accepted")  # a review decision: the window's own Ctrl+Z would undo this one
    labels_before = dict(window.session.labels)
    window.activateWindow()  # window shortcuts only fire in the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(row, FIRST_VISIT + column))
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.model.index(row, FIRST_VISIT + column).data() == ""
    assert store.grid_edits(sha) == [] and store.audit_entries(action="grid.retract", document=sha)
    assert window.session.labels == labels_before  # the review's undo was not touched


def test_names_and_headers_are_editable_and_shaded(shown, qtbot):
    window, _ = shown
    view = window.grid_view
    commit(qtbot, view, view.model.index(0, ACTIVITY), "Consent (renamed)^b")
    view.rename_column(0, "Screening | Day -28 to -1")
    assert view.current_grid.rows[0].activity == "Consent (renamed)" and view.current_grid.rows[0].footnote_refs == ["b"]
    assert view.current_grid.columns[0].label == "Screening | Day -28 to -1"
    assert view.model.index(0, ACTIVITY).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert [e.target for e in window.store.grid_edits(window.open_sha)] == ["activity", "column"]
    view.undo_stack.undo()
    assert view.current_grid.columns[0].label == view.extracted[(view.sha256, view.group)].columns[0].label


@pytest.mark.parametrize("fmt,name", [("csv", "grid.csv"), ("xlsx", "grid.xlsx"), ("usdm", "grid.json")])
def test_export_buttons_write_valid_files(shown, qtbot, tmp_path, monkeypatch, fmt, name):
    window, _ = shown
    view = window.grid_view
    commit(qtbot, view, view.model.index(0, ACTIVITY), "Consent, exported")
    out = tmp_path / name
    monkeypatch.setattr("soe_desktop.gui.views.grid_view.QFileDialog.getSaveFileName",
                        lambda *args, **kwargs: (str(out), ""))
    qtbot.mouseClick(view.export_buttons[fmt], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.last_message.startswith("Grid exported"), timeout=20_000)
    if fmt == "csv":
        assert "Consent, exported" in list(csv.reader(open(out, encoding="utf-8")))[1]
    elif fmt == "xlsx":
        sheet = load_workbook(out).worksheets[0]  # a caption row above the header when the grid has one
        assert "Consent, exported" in [cell.value for cell in sheet[3 if sheet["A1"].value != "Section" else 2]]
    else:
        assert validation_errors(json.loads(out.read_text(encoding="utf-8"))) == []
    assert window.store.audit_entries(action="grid.export", document=window.open_sha)


def test_a_failed_export_is_one_line_dialog(shown, qtbot, tmp_path, monkeypatch):
    window, _ = shown
    shown_errors = []
    monkeypatch.setattr("soe_desktop.gui.views.grid_view.show_error",
                        lambda _parent, title, message: shown_errors.append((title, message)))
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    window.grid_view.export("csv", blocker / "grid.csv")
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=20_000)
    ((title, message),) = shown_errors
    assert title == "Grid export failed" and "\n" not in message and "grid.csv" in message


def test_keys_typed_in_the_grid_edit_it_not_the_review(shown, qtbot):
    window, _ = shown
    view = window.grid_view
    grid = view.current_grid
    row = next(r for r, item in enumerate(grid.rows) if item.marks)
    column = [c.id for c in grid.columns].index(next(iter(grid.rows[row].marks)))
    labels_before = dict(window.session.labels)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(row, FIRST_VISIT + column))
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # a mark read where none is printed
    qtbot.waitUntil(lambda: bool(window.store.grid_edits(window.open_sha)), timeout=5_000)
    assert view.model.index(row, FIRST_VISIT + column).data() == ""
    qtbot.keyClick(view.table, Qt.Key.Key_A)  # starts editing the cell; 'A' is also the review's Accept key
    assert window.session.labels == labels_before
    assert [e.value for e in window.store.grid_edits(window.open_sha)] == [""]


def test_an_empty_name_is_refused_with_a_message_and_stores_nothing(shown, monkeypatch):
    window, _ = shown
    refused = []
    monkeypatch.setattr("soe_desktop.gui.views.grid_view.show_error",
                        lambda _parent, title, message: refused.append(message))
    window.grid_view.rename_activity(0, "   ")
    assert refused == ["an activity needs a name"] and window.store.grid_edits(window.open_sha) == []
    assert window.grid_view.undo_stack.count() == 0


def test_typing_into_a_cell_editor_and_enter_stores_the_edit(shown, qtbot):
    window, _ = shown
    view = window.grid_view
    row, column = empty_cell(view.current_grid)
    index = view.model.index(row, FIRST_VISIT + column)
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.focusWidget()
    editor.setText("Day 1 only")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.store.grid_edits(window.open_sha)), timeout=5_000)
    assert view.model.index(row, FIRST_VISIT + column).data() == "Day 1 only"
    assert view.table.state() != view.table.State.EditingState
