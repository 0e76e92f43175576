"""The window's menus: every shortcut is bound once and works whichever panel has focus, and the
review keys say what they set."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt


def _shortcut_actions(window):
    return [action for action in window.actions() if not action.shortcut().isEmpty()]


def test_no_two_window_actions_share_a_shortcut(make_window):
    window = make_window()
    keys = Counter(action.shortcut().toString() for action in _shortcut_actions(window))
    assert keys and not [key for key, count in keys.items() if count > 1], keys


def test_menu_shortcuts_work_from_any_panel(make_window):
    window = make_window()
    menu_actions = [action for action in _shortcut_actions(window) if action.text() not in ("&Undo", "&Redo")]
    assert all(action.shortcutContext() == Qt.ShortcutContext.WindowShortcut for action in menu_actions)


def test_the_review_menu_names_what_each_key_sets(make_window):
    window = make_window()
    review = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Review")
    by_key = {action.shortcut().toString(): action.text().replace("&", "") for action in review.actions()}
    assert "suggestion" in by_key["A"] and "not SoE" in by_key["N"] and "SoE" in by_key["S"]
    assert "R" not in by_key
