"""The review keys in the window say what they set (S = SoE, N = not SoE, A = the suggestion), the
buttons show the result, and a decision on one page of a two-page table covers the whole table:
the Grid view's header then no longer names the page that was set to not SoE."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui_test_helpers import drop_files, wait_for_queue
from soe_desktop.core.model import Label
from soe_desktop.core.synthetic.grids import GridOptions, write_grid_pdf


@pytest.fixture(scope="module")
def two_page_soe(tmp_path_factory):
    path = tmp_path_factory.mktemp("review_keys") / "two_page_soe.pdf"
    write_grid_pdf(path, 7, GridOptions(pages=2, visit_count=5))
    return path


@pytest.fixture
def window(make_window, two_page_soe, qtbot, isolated_app_dirs):
    """A window showing the two-page SoE, with nothing accepted by rule (every table stays open)."""
    from soe_desktop.core.settings import load_settings, save_settings

    settings = load_settings(isolated_app_dirs / "config")
    settings.auto_accept_threshold = 1.0
    save_settings(settings, isolated_app_dirs / "config")
    window = make_window()
    assert drop_files(window, [two_page_soe])
    wait_for_queue(qtbot, window)
    qtbot.waitUntil(lambda: window.grid_view.current_grid is not None, timeout=30_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return window


def _press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.page_view, key, modifiers)


def _table(window) -> list[str]:
    """The candidates of the table over pages 1-2, page order."""
    session = window.session
    first = next(c for c in session.candidates if c.page == 1)
    members = sorted((c for c in session.candidates if c.group == first.group), key=lambda c: c.page)
    assert [c.page for c in members] == [1, 2], "the synthetic SoE should be found as one two-page table"
    return [c.id for c in members]


def _verdicts(window, ids) -> list[tuple[bool, bool]]:
    return [(window.session.label(c).is_human, window.session.label(c).is_soe) for c in ids]


def _suggest(window, ids, is_soe: bool) -> None:
    """A machine suggestion on every page of the table, as a labeler would leave it."""
    window.store.add_labels([Label(c, is_soe, 0.9, "heuristic") for c in ids])
    window.session.reload_labels()


def test_s_on_a_not_soe_suggestion_gives_soe_on_every_page(window, qtbot):
    table = _table(window)
    _suggest(window, table, False)
    window.session.select(table[0])
    assert window.review_panel.accept_button.text() == "Accept: not SoE (A)"
    _press(qtbot, window, Qt.Key.Key_S)
    assert _verdicts(window, table) == [(True, True), (True, True)]
    assert window.session.soe_pages() == [1, 2]


def test_n_on_an_soe_suggestion_gives_not_soe_and_the_grid_no_longer_names_its_pages(window, qtbot):
    table = _table(window)
    _suggest(window, table, True)
    window.session.select(table[1])  # the table's second page
    assert "page(s) 1, 2" in window.grid_view.title.text()
    assert window.review_panel.accept_button.text() == "Accept: SoE (A)"
    assert "pages 1–2" in window.review_panel.position.text()  # says the decision covers both pages
    _press(qtbot, window, Qt.Key.Key_N)
    assert _verdicts(window, table) == [(True, False), (True, False)]
    assert window.session.soe_pages() == []
    window.session.select(table[0])
    header = window.grid_view.title.text()
    assert "page" not in header and "not marked SoE" in header
    assert window.store.document(window.open_sha)["status"] == "done"

    _press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: the whole table back
    assert _verdicts(window, table) == [(False, True), (False, True)]
    assert window.session.current == table[1]  # back on the page decided on
    qtbot.waitUntil(lambda: "page(s) 1, 2" in window.grid_view.title.text(), timeout=30_000)


def test_a_keeps_the_suggestion_on_every_page(window, qtbot):
    table = _table(window)
    _suggest(window, table, True)
    window.session.select(table[1])
    _press(qtbot, window, Qt.Key.Key_A)
    assert _verdicts(window, table) == [(True, True), (True, True)]
    assert window.session.current == table[1]  # the document's only table: nothing to move on to
    assert window.store.document(window.open_sha)["status"] == "done"  # no page of it left open


def test_the_buttons_say_what_they_set(window):
    panel = window.review_panel
    assert (panel.soe_button.text(), panel.not_soe_button.text()) == ("SoE (S)", "Not SoE (N)")
    keys = {action.shortcut().toString() for action in window.actions()}
    assert {"S", "N", "A"} <= keys and "R" not in keys
