"""The main window's menus and toolbar: what each menu offers, with its keys (the review keys say
what they set: A keeps the suggestion, S marks SoE, N marks not SoE)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from soe_desktop.gui.recent_files import RecentFiles


def add_action(window, menu, text: str, slot, shortcut: str | QKeySequence | None = None) -> QAction:
    """A menu entry whose shortcut works whichever panel has focus."""
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    menu.addAction(action)
    window.addAction(action)  # shortcuts work whichever panel has focus
    return action


def build_menus(window) -> None:
    """The menu bar and the toolbar of `window` (a MainWindow); it keeps the objects they own."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    add_action(window, file_menu, "&Open PDFs…", window.open_files, QKeySequence.StandardKey.Open)
    add_action(window, file_menu, "Open &folder…", window.open_folder)
    window.recent = RecentFiles(window.gui_state, file_menu.addMenu("Open &recent"), window.add_paths)
    file_menu.addSeparator()
    from soe_desktop.gui.export_actions import ExportActions

    window.exports = ExportActions(window, window.store, window.settings)
    window.exports.add_to(file_menu)
    from soe_desktop.gui.import_labels_action import ImportLabelsAction

    window.imports = ImportLabelsAction(window, window.settings)
    window.imports.add_to(file_menu)
    file_menu.addSeparator()
    add_action(window, file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    edit = bar.addMenu("&Edit")
    window.undo_action = window.session.undo_group.createUndoAction(window, "&Undo")
    window.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
    window.redo_action = window.session.undo_group.createRedoAction(window, "&Redo")
    window.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for action in (window.undo_action, window.redo_action):
        edit.addAction(action)
        window.addAction(action)
    add_action(window, edit, "&Settings…", window.open_settings, "Ctrl+,")
    review = bar.addMenu("&Review")
    add_action(window, review, "&Accept the suggestion, next", window.session.accept, "A")
    add_action(window, review, "Mark &SoE, next", window.session.mark_soe, "S")
    add_action(window, review, "Mark n&ot SoE, next", window.session.mark_not_soe, "N")
    add_action(window, review, "S&witch SoE / not SoE", window.session.toggle, "Space")
    add_action(window, review, "&Next candidate", window.session.next, "J")
    add_action(window, review, "&Previous candidate", window.session.previous, "K")
    add_action(window, review, "Next most &uncertain", window.session.next_uncertain, "U")
    view = bar.addMenu("&View")
    add_action(window, view, "Zoom &in", window.page_view.zoom_in, QKeySequence.StandardKey.ZoomIn)
    add_action(window, view, "Zoom &out", window.page_view.zoom_out, QKeySequence.StandardKey.ZoomOut)
    add_action(window, view, "Fit &width", window.page_view.fit_width, "Ctrl+1")
    add_action(window, view, "Fit &page", window.page_view.fit_page, "Ctrl+2")
    add_action(window, view, "&Rotate clockwise", window.page_view.rotate_clockwise, "Ctrl+R")
    tools = bar.addMenu("&Tools")
    add_action(window, tools, "&Train local model…", window.show_training, "Ctrl+T")
    add_action(window, tools, "&Dashboard", window.show_dashboard, "Ctrl+D")
    from soe_desktop.gui.help_menu import HelpMenu

    window.help = HelpMenu(window, bar.addMenu("&Help"))
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    for text, slot in (("Open…", window.open_files), ("Zoom −", window.page_view.zoom_out),
                       ("Zoom +", window.page_view.zoom_in), ("Fit width", window.page_view.fit_width),
                       ("Fit page", window.page_view.fit_page), ("Rotate", window.page_view.rotate_clockwise),
                       ("Train local model", window.show_training), ("Settings", window.open_settings)):
        toolbar.addAction(text, slot)
