"""Each document keeps its own undo history: going back to a document brings it back, and
Ctrl+Z never changes a document that is not on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui_test_helpers import wait_for_queue


def _press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.page_view, key, modifiers)


def _undo(qtbot, window) -> None:
    _press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_undo_after_switching_back_undoes_that_documents_last_decision(make_window, small_protocol, tmp_path, qtbot):
    from soe_desktop.core.synthetic import write_protocol

    other = tmp_path / "other.pdf"
    write_protocol(other, seed=11, prose_pages=1)
    window = make_window()
    window.add_paths([str(small_protocol[0]), str(other)])
    wait_for_queue(qtbot, window)
    first_sha, second_sha = (entry.sha256 for entry in window.queue.model.entries)
    session, store = window.session, window.store
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())

    window.show_document(first_sha)
    first = session.current
    before_first = session.label(first)
    _press(qtbot, window, Qt.Key.Key_Space)
    assert session.label(first).is_human

    window.show_document(second_sha)
    second = session.current
    _press(qtbot, window, Qt.Key.Key_Space)
    assert store.effective_labels(second_sha)[second].is_human

    window.show_document(first_sha)
    assert window.undo_action.isEnabled(), "the first document's history was lost when switching"
    _undo(qtbot, window)
    restored = store.effective_labels(first_sha).get(first)
    if before_first is None:
        assert restored is None
    else:
        assert (restored.source, restored.is_soe) == (before_first.source, before_first.is_soe)
    assert store.effective_labels(second_sha)[second].is_human, "undo changed a document that is not shown"

    _undo(qtbot, window)  # nothing left in this document's history: the other document stays as it is
    assert store.effective_labels(second_sha)[second].is_human
    assert not window.undo_action.isEnabled()

    window.show_document(second_sha)
    _undo(qtbot, window)
    assert not store.effective_labels(second_sha)[second].is_human
    _press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert store.effective_labels(second_sha)[second].is_human  # redo is per document too
