"""Settings dialog: edits come back as a Settings copy; the API key goes to the keyring only."""

from __future__ import annotations

from soe_desktop.core.settings import Settings
from soe_desktop.gui.dialogs.settings_dialog import SettingsDialog


def test_edits_come_back_and_the_key_goes_to_the_keyring(qtbot, monkeypatch):
    stored = []
    monkeypatch.setattr("soe_desktop.core.labeling.keys.store_api_key", stored.append)
    original = Settings()
    dialog = SettingsDialog(original)
    qtbot.addWidget(dialog)
    dialog.teacher.setCurrentIndex(1)
    dialog.auto_accept.setValue(0.9)
    dialog.consent.setChecked(True)
    assert dialog.read_scanned.isChecked()  # OCR of scanned pages is on by default
    dialog.read_scanned.setChecked(False)
    assert dialog.second_look.value() == 5  # the default second look
    dialog.second_look.setValue(0)
    dialog.api_key.setText("  secret-key  ")
    dialog._on_accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    result = dialog.result_settings()
    assert (result.teacher, result.auto_accept_threshold, result.cloud_consent_default) == ("gemini", 0.9, True)
    assert result.read_scanned_pages is False and result.second_look_pages == 0
    assert stored == ["secret-key"]
    assert "secret" not in repr(result) and original.teacher == "heuristic"  # a copy; the key is not in it


def test_a_missing_keyring_keeps_the_dialog_open_with_a_hint(qtbot, monkeypatch):
    def no_keyring(value):
        raise RuntimeError("no recommended backend")

    monkeypatch.setattr("soe_desktop.core.labeling.keys.store_api_key", no_keyring)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.api_key.setText("k")
    dialog._on_accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert "GOOGLE_API_KEY" in dialog.message.text()
