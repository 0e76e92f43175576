"""The main window fits a 1366x768 (and a 1600x900) laptop screen whatever it shows: long context
lines, long document names, long grid titles, every tab. Its minimum size once came to 1654-1764 px
wide depending on the candidate, so the right panel's buttons were cut off and a resize snapped back."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QLabel

from gui_test_helpers import drop_files, wait_for_queue
from soe_desktop.gui.views.flow_layout import FlowLayout

SCREENS = [QSize(1366, 768), QSize(1600, 900)]
LONG_NAME = "Clinical Study Protocol Amendment 4 Final Version Signed by the Sponsor " * 3 + "copy.pdf"
LONG_LINE = ("Table 7: Schedule of Activities for the Treatment Period, Follow-up and Extension Phase "
             "(all cohorts, all regions, see footnotes a-z) ") * 20 + "/" + "x" * 500


def _fits(window, screen: QSize) -> None:
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= screen.width() and hint.height() <= screen.height(), hint
    window.resize(screen)
    QApplication.processEvents()
    assert window.size() == screen  # the resize sticks: nothing wider than the screen pushes back
    for panel in (window.review_panel, window.grid_view, window.queue_panel):
        if panel.isVisible():  # it has the room its contents need: no button cut off at its edge
            assert panel.width() >= panel.minimumSizeHint().width(), type(panel).__name__
    for label in window.review_panel.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():  # a wrapped line is not cut to fewer lines
            assert label.height() >= label.heightForWidth(label.width()), label.text()


@pytest.fixture
def crowded_window(make_window, small_protocol, tmp_path, qtbot):
    """The sample protocol and a protocol with a very long file name, the latter shown, with one of
    its candidates given a context of one very long line and a grid cell as long."""
    window = make_window(open_sample=True)
    wait_for_queue(qtbot, window)
    long_named = tmp_path / LONG_NAME
    shutil.copy(small_protocol[0], long_named)
    assert drop_files(window, [long_named])
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(lambda: bool(window.open_sha) and LONG_NAME in window.store.document(window.open_sha)["filename"],
                    timeout=30_000)  # the file just opened is the one shown
    assert window.session.candidates
    session = window.session
    first = session.candidates[0]
    session.candidates[0] = dataclasses.replace(first, context=LONG_LINE, rows=[[LONG_LINE, "X"]] + first.rows)
    return window


def test_every_candidate_and_tab_fits_a_laptop_screen(crowded_window):
    window = crowded_window
    session = window.session
    for candidate in session.candidates:
        session.select(candidate.id)
        for screen in SCREENS:
            _fits(window, screen)
    session.select(session.candidates[0].id)  # the long one, last
    assert window.review_panel.context.toPlainText() == LONG_LINE
    window.grid_view.title.setText(LONG_LINE)  # e.g. a long reason why a table gave no grid
    window.statusBar().showMessage(f"{LONG_NAME} was damaged: it was repaired with qpdf", 15000)
    for screen in SCREENS:
        _fits(window, screen)
    window.show_training()
    _fits(window, SCREENS[0])
    window.show_dashboard()
    assert window.dashboard.is_built()  # its real panel, not the placeholder
    _fits(window, SCREENS[0])


def test_the_grid_buttons_wrap_instead_of_widening_the_window(qtbot):
    from PySide6.QtWidgets import QPushButton, QWidget

    holder = QWidget()
    qtbot.addWidget(holder)
    flow = FlowLayout(holder, spacing=4)
    buttons = [QPushButton(f"A button with a long text {n}") for n in range(5)]
    for button in buttons:
        flow.addWidget(button)
    widest = max(button.sizeHint().width() for button in buttons)
    assert flow.minimumSize().width() == widest  # not the sum of all five
    one_row = flow.heightForWidth(flow.sizeHint().width())
    assert flow.heightForWidth(widest) > 4 * one_row  # one button a row when narrowest
    holder.resize(widest, flow.heightForWidth(widest))
    holder.show()
    QApplication.processEvents()
    tops = [button.geometry().top() for button in buttons]
    assert tops == sorted(tops) and len(set(tops)) == 5
    assert all(button.geometry().right() < widest for button in buttons)  # nothing is cut off
