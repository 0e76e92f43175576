"""The Grid view shows the second reading's doubts first: hatched cells, a *Next uncertain cell*
key (F8) that selects each in turn and outlines it on the page, and a table without a grid shows
its reason instead of a grid."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui_test_helpers import drop_files, wait_for_queue
from soe_desktop.core.app import grid_edits
from soe_desktop.core.grid.extract import TableReading
from soe_desktop.core.grid.model import GridFailure
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf
from soe_desktop.gui.models.grid_model import DISAGREE, FIRST_VISIT, UNCERTAIN


@pytest.fixture(scope="module")
def grid_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid_uncertain") / "grid_protocol.pdf"
    write_grid_pdf(path, 8, GridOptions(pages=2, visit_count=6))
    return path


# The synthetic grid reads right (nothing flagged), so the reading is wrapped to flag three cells
# as the second reading does when the two readings disagree.
FLAGGED = [(0, 1), (2, 0), (5, 3)]  # (row, visit column)


def _flagging(monkeypatch):
    real = grid_edits.read_group

    def read(path, members, ocr=True, cancel=None):
        reading = real(path, members, ocr=ocr, cancel=cancel)
        for row, visit in FLAGGED:
            reading.grid.rows[row].uncertain.append(reading.grid.columns[visit].id)
        return reading

    monkeypatch.setattr(grid_edits, "read_group", read)


def _shown(make_window, grid_pdf, qtbot, wanted):
    window = make_window()
    assert drop_files(window, [grid_pdf])
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(wanted(window), timeout=30_000)
    return window


def test_uncertain_cells_are_hatched_with_a_tooltip(make_window, grid_pdf, qtbot, monkeypatch):
    _flagging(monkeypatch)
    window = _shown(make_window, grid_pdf, qtbot, lambda w: lambda: w.grid_view.current_grid is not None)
    model = window.grid_view.model
    row, visit = FLAGGED[0]
    index = model.index(row, FIRST_VISIT + visit)
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) == UNCERTAIN
    assert DISAGREE in model.data(index, Qt.ItemDataRole.ToolTipRole)
    plain = model.index(1, FIRST_VISIT)
    assert model.data(plain, Qt.ItemDataRole.BackgroundRole) is None
    assert "3 uncertain cells" in window.grid_view.title.text()
    assert window.grid_view.next_uncertain_button.isEnabled()


def test_next_uncertain_cell_key_selects_each_in_turn_and_outlines_it(make_window, grid_pdf, qtbot, monkeypatch):
    _flagging(monkeypatch)
    window = _shown(make_window, grid_pdf, qtbot, lambda w: lambda: w.grid_view.current_grid is not None)
    view = window.grid_view
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus, timeout=5_000)
    seen = []
    for _ in range(len(FLAGGED) + 1):  # all three in reading order, then round to the first again
        qtbot.keyClick(view.table, Qt.Key.Key_F8)
        current = view.table.currentIndex()
        seen.append((current.row(), current.column() - FIRST_VISIT))
        page, box = view.model.source_of(current.row(), current.column())
        outline = window.page_view.highlighted
        assert outline is not None and outline.width() == pytest.approx(box[2] - box[0], abs=0.01)
    assert seen == sorted(FLAGGED) + [sorted(FLAGGED)[0]]


def test_an_edited_cell_is_no_longer_uncertain(make_window, grid_pdf, qtbot, monkeypatch):
    _flagging(monkeypatch)
    window = _shown(make_window, grid_pdf, qtbot, lambda w: lambda: w.grid_view.current_grid is not None)
    view = window.grid_view
    row, visit = FLAGGED[0]
    stored = len(view.store.grid_edits(view.sha256))
    assert view.model.setData(view.model.index(row, FIRST_VISIT + visit), "X^z")
    qtbot.waitUntil(lambda: len(view.store.grid_edits(view.sha256)) > stored, timeout=5_000)
    qtbot.waitUntil(lambda: len(view.model.uncertain_cells()) == len(FLAGGED) - 1, timeout=5_000)
    assert (row, FIRST_VISIT + visit) not in view.model.uncertain_cells()


def test_a_table_without_a_grid_shows_its_reason(make_window, grid_pdf, qtbot, monkeypatch):
    def failed(path, members, ocr=True, cancel=None):
        pages = sorted({c.page for c in members})
        return TableReading(None, GridFailure(pages, "no visit columns were read from the table", members[0].group))

    monkeypatch.setattr(grid_edits, "read_group", failed)
    window = _shown(make_window, grid_pdf, qtbot,
                    lambda w: lambda: w.grid_view.title.text().startswith("No grid for this SoE table"))
    view = window.grid_view
    assert view.current_grid is None
    assert view.title.text() == "No grid for this SoE table: no visit columns were read from the table"
    assert not any(button.isEnabled() for button in view.export_buttons.values())


def test_a_suspect_grid_says_so(make_window, grid_pdf, qtbot, monkeypatch):
    real = grid_edits.read_group

    def suspect(path, members, ocr=True, cancel=None):
        reading = real(path, members, ocr=ocr, cancel=cancel)
        reading.grid.suspect = "most activity names are one or two characters, not words (6 of 6)"
        return reading

    monkeypatch.setattr(grid_edits, "read_group", suspect)
    window = _shown(make_window, grid_pdf, qtbot, lambda w: lambda: w.grid_view.current_grid is not None)
    view = window.grid_view
    assert view.title.text().startswith("SUSPECT (most activity names are one or two characters")
    # flagged above the table, not shown as a result
    assert view.suspect_warning.isVisible()
    assert "not read right: most activity names are one or two characters" in view.suspect_warning.text()
    assert view.suspect_warning.textFormat() == Qt.TextFormat.PlainText


def test_a_sound_grid_has_no_suspect_warning(make_window, grid_pdf, qtbot):
    window = _shown(make_window, grid_pdf, qtbot, lambda w: lambda: w.grid_view.current_grid is not None)
    assert not window.grid_view.current_grid.suspect
    assert not window.grid_view.suspect_warning.isVisible()
