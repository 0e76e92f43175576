"""Exports and model activation run on a worker, not on the GUI thread: the control is off while
one runs, a message says when it is done, and a refusal or failure is one plain line."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMainWindow

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.settings import load_settings
from soe_desktop.core.store import Store

SHA = "ab" * 32


@pytest.fixture
def library(isolated_app_dirs):
    """A library with one labelled document, a completed model (folder on disk) and a failed run."""
    settings = load_settings()
    store = Store(settings.db_path)
    store.add_document(Document("/tmp/protocol.pdf", SHA, 3), "/tmp/protocol.pdf", "protocol.pdf")
    candidates = [Candidate(f"c{i}", SHA, i + 1, (10, 10, 200, 200), "pdfplumber") for i in range(3)]
    store.replace_candidates(SHA, candidates)
    store.add_labels([Label(c.id, i == 0, 0.9, "heuristic") for i, c in enumerate(candidates)])
    folder = settings.models_dir / "v1"
    folder.mkdir(parents=True)
    for version, status, path in (("v1", "completed", str(folder)), ("v2", "failed", "")):
        store.add_model(version=version, created_at="2024-01-01T00:00:00Z", base_model="tiny", status=status,
                        active=False, path=path, args={}, dataset={}, metrics={}, seconds=1.0, peak_rss_mb=1.0)
    yield store, settings
    store.close()


def _on_a_thread(monkeypatch, module, name: str) -> list[int]:
    """Record the thread each call of `module.name` runs on (the real function still runs)."""
    threads, real = [], getattr(module, name)

    def recorded(*args, **kwargs):
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return threads


@pytest.fixture
def panel(qtbot, library):
    from soe_desktop.gui.views.training_panel import TrainingPanel

    store, settings = library
    widget = TrainingPanel(store, settings)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


def test_activation_runs_on_a_worker_and_says_when_it_is_done(panel, qtbot, monkeypatch):
    from soe_desktop.core.training.registry import ModelRegistry

    threads = _on_a_thread(monkeypatch, ModelRegistry, "activate")
    with qtbot.waitSignal(panel.model_activated, timeout=10_000) as activated:
        assert panel.activate("v1") is not None
        assert not panel.activate_button.isEnabled() and "Making model v1 active" in panel.message.text()
        assert panel.activate("v1") is None, "a second activation started while one was running"
    assert activated.args == ["v1"] and panel.message.text() == "Model v1 is now active."
    assert threads and threading.get_ident() not in threads, "the activation ran on the GUI thread"
    assert panel.store.active_model()["version"] == "v1"
    qtbot.waitUntil(panel.activate_button.isEnabled, timeout=5_000)
    assert panel.models.item([panel.models.item(r, 0).text() for r in range(2)].index("v1"), 6).text() == "● active"


def test_activating_a_failed_run_is_refused_in_one_line(panel, qtbot):
    activated = []
    panel.model_activated.connect(activated.append)
    panel.activate("v2")
    qtbot.waitUntil(lambda: panel.activation is None, timeout=10_000)
    assert panel.message.text() == "model v2 is failed; only a completed run can be active"
    assert activated == [] and panel.store.active_model() is None and panel.activate_button.isEnabled()


class _Window(QMainWindow):
    open_sha = SHA


@pytest.fixture
def exports(qtbot, library):
    from soe_desktop.gui.export_actions import ExportActions

    store, settings = library
    window = _Window()
    qtbot.addWidget(window)
    actions = ExportActions(window, store, settings)
    actions.add_to(window.menuBar().addMenu("&File"))
    yield actions
    actions.shutdown()


def test_an_export_runs_on_a_worker_with_the_menu_off_and_reports_when_done(exports, qtbot, tmp_path,
                                                                            monkeypatch):
    from soe_desktop.gui import export_actions

    out = tmp_path / "labels.csv"
    threads = _on_a_thread(monkeypatch, export_actions, "export")
    monkeypatch.setattr(export_actions.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV (*.csv)"))
    exports.export_document_labels()
    assert exports.is_running() and not exports.menu.isEnabled()
    assert "Exporting labels" in exports.window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not exports.is_running(), timeout=10_000)
    assert exports.menu.isEnabled() and threads and threading.get_ident() not in threads
    assert exports.window.statusBar().currentMessage() == f"3 labels written to {out}"
    assert len(out.read_text().splitlines()) == 4  # the header and three labels


def test_a_failed_export_is_shown_as_one_line(exports, qtbot, tmp_path, monkeypatch):
    from soe_desktop.gui import export_actions

    shown = []
    monkeypatch.setattr(export_actions, "show_error", lambda _parent, title, message: shown.append((title, message)))
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setattr(export_actions.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(blocked / "pages.csv"), "CSV (*.csv)"))
    exports.export_soe_pages()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    ((title, message),) = shown
    assert title == "Export failed" and message.startswith("could not write the export:") and "\n" not in message
    qtbot.waitUntil(exports.menu.isEnabled, timeout=5_000)
