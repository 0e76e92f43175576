"""File ▸ Import labels…: the import runs on a worker, the views refresh, Ctrl+Z takes it back."""

from __future__ import annotations

import threading

from soe_desktop.core.model import Candidate, Document, Label, LabelKind

SHA = "5a" * 32


def _menu_action(window, text: str):
    file_menu = window.menuBar().actions()[0].menu()
    return next(action for action in file_menu.actions() if action.text() == text)


def _library(store) -> None:
    store.add_document(Document("/in/trial.pdf", SHA, 3), "/in/trial.pdf", "trial.pdf")
    store.set_status(SHA, "needs review")
    store.replace_candidates(SHA, [Candidate("t1", SHA, 1, (0, 0, 10, 10), "pdfplumber"),
                                   Candidate("t2", SHA, 2, (0, 0, 10, 10), "pdfplumber")])
    store.add_labels([Label("t1", True, 0.8, "heuristic"), Label("t2", True, 0.7, "heuristic")])


def test_import_labels_from_the_file_menu_then_undo(make_window, qtbot, tmp_path, monkeypatch):
    from soe_desktop.core.app import import_labels as core_import
    from soe_desktop.gui import import_labels_action

    window = make_window()
    _library(window.store)
    window.show_library()
    csv = tmp_path / "team.csv"
    csv.write_text("file,page,is_soe\ntrial.pdf,1,yes\ntrial.pdf,2,no\nelsewhere.pdf,1,yes\n", encoding="utf-8")
    monkeypatch.setattr(import_labels_action.QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv), ""))
    threads = []
    real = core_import.read_label_file
    monkeypatch.setattr(core_import, "read_label_file", lambda path: threads.append(threading.get_ident()) or real(path))

    _menu_action(window, "&Import labels…").trigger()
    assert window.imports.is_running() and not window.imports.actions[0].isEnabled()
    qtbot.waitUntil(lambda: not window.imports.is_running(), timeout=20_000)
    assert threads and threading.get_ident() not in threads, "the import ran on the GUI thread"
    effective = window.store.effective_labels(SHA)
    assert (effective["t1"].kind, effective["t1"].is_soe, effective["t2"].is_soe) == (LabelKind.HUMAN, True, False)
    message = window.statusBar().currentMessage()
    assert "2 labels written" in message and "elsewhere.pdf is not in the library" in message
    entry = window.queue.model.by_sha(SHA)
    assert entry.status == "done" and entry.soe_pages == [1]

    window.session.load(SHA)  # the review of that document (its PDF is not needed for undo)
    assert window.session.undo_stack.undoText() == "Import labels from team.csv"
    window.undo_action.trigger()
    assert all(label.kind is not LabelKind.HUMAN for label in window.store.effective_labels(SHA).values())
    window.redo_action.trigger()
    assert window.store.effective_labels(SHA)["t2"].kind is LabelKind.HUMAN


def test_a_failed_import_is_one_line(make_window, qtbot, tmp_path, monkeypatch):
    from soe_desktop.gui import import_labels_action

    shown = []
    monkeypatch.setattr(import_labels_action, "show_error", lambda _parent, title, message: shown.append((title, message)))
    window = make_window()
    bad = tmp_path / "labels.txt"
    bad.write_text("?")
    window.imports.run(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    ((title, message),) = shown
    assert title == "Import failed" and "expected a corpus folder" in message and "\n" not in message
    qtbot.waitUntil(lambda: window.imports.actions[0].isEnabled(), timeout=5_000)
