"""With Gemini as teacher the app asks before sending anything; without a key it falls back offline."""

from __future__ import annotations

import pytest

from gui_test_helpers import wait_for_queue


@pytest.fixture
def gemini_window(make_window):
    window = make_window()
    window.settings.teacher = "gemini"
    return window


@pytest.mark.parametrize("answer", [True, False])
def test_consent_is_asked_recorded_and_the_offline_teacher_stands_in(gemini_window, small_protocol, qtbot,
                                                                      monkeypatch, answer):
    asked = []

    def fake_exec(dialog):
        asked.append(dialog.windowTitle())
        return int(answer)

    monkeypatch.setattr("soe_desktop.gui.dialogs.consent.ConsentDialog.exec", fake_exec)
    window = gemini_window
    window.add_paths([str(small_protocol[0])])
    wait_for_queue(qtbot, window)
    assert asked == ["Send tables to Gemini?"]
    (entry,) = window.queue.model.entries
    assert entry.status in ("needs review", "done"), entry.message
    assert window.store.cloud_consent(entry.sha256) is answer
    labels = window.store.labels(sha256=entry.sha256, source_prefix="heuristic")
    assert labels and all(label.details.get("fallback_for") == "gemini" for label in labels)
    reason = labels[0].details["fallback_reason"]
    assert ("API key" in reason) if answer else ("no consent" in reason)


def test_offline_setting_never_asks(gemini_window, small_protocol, qtbot, monkeypatch):
    def fail_exec(dialog):
        raise AssertionError("consent dialog shown in offline mode")

    monkeypatch.setattr("soe_desktop.gui.dialogs.consent.ConsentDialog.exec", fail_exec)
    gemini_window.settings.offline = True
    gemini_window.add_paths([str(small_protocol[0])])
    wait_for_queue(qtbot, gemini_window)
    assert gemini_window.queue.model.entries[0].status in ("needs review", "done")
