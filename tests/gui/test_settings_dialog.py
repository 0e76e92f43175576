"""Settings dialog: edits come back as a Settings copy; the API key goes to the keyring only."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QDialogButtonBox

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


def _shown(dialog, qtbot):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_long_keyring_error_wraps_and_the_dialog_stays_narrow(qtbot, monkeypatch):
    # Words and one long unbroken path, as a D-Bus or Secret Service error can carry.
    error = ("org.freedesktop.DBus.Error.ServiceUnknown: the name is not activatable " * 20
             + "/run/user/1000/" + "x" * 600)[:2000]
    assert len(error) == 2000

    def no_keyring(value):
        raise RuntimeError(error)

    monkeypatch.setattr("soe_desktop.core.labeling.keys.store_api_key", no_keyring)
    dialog = _shown(SettingsDialog(Settings()), qtbot)
    assert not dialog.message.isVisible()  # nothing to say: no empty red box
    dialog.api_key.setText("k")
    dialog._on_accept()
    qtbot.waitUntil(dialog.message.isVisible)
    dialog.adjustSize()
    assert error in dialog.message.text() and "GOOGLE_API_KEY" in dialog.message.text()
    assert dialog.sizeHint().width() <= 700 and dialog.minimumSizeHint().width() <= 700
    assert dialog.width() <= 700
    assert dialog.message.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert dialog.message.horizontalScrollBar().maximum() == 0  # wrapped, not one long line
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.rect().contains(QRect(ok.mapTo(dialog, QPoint(0, 0)), ok.size()))  # OK is on the dialog


def test_gemini_while_offline_says_offline_wins(qtbot):
    dialog = _shown(SettingsDialog(Settings()), qtbot)
    assert not dialog.offline_note.isVisible()
    dialog.teacher.setCurrentIndex(dialog.teacher.findData("gemini"))
    assert not dialog.offline_note.isVisible()  # Gemini online: nothing to explain
    assert dialog.consent.isEnabled()
    dialog.offline.setChecked(True)
    assert dialog.offline_note.isVisible()
    assert "nothing is sent to Gemini" in dialog.offline_note.text()
    assert not dialog.consent.isEnabled()  # consent cannot apply while nothing is sent
    dialog.teacher.setCurrentIndex(dialog.teacher.findData("heuristic"))
    assert not dialog.offline_note.isVisible()  # offline with the offline teacher: no conflict
    dialog.offline.setChecked(False)
    assert dialog.consent.isEnabled()


def test_a_saved_gemini_and_offline_pair_is_explained_on_opening(qtbot):
    dialog = _shown(SettingsDialog(Settings(teacher="gemini", offline=True)), qtbot)
    assert dialog.offline_note.isVisible() and not dialog.consent.isEnabled()
    dialog._on_accept()  # kept as chosen (offline is a safety switch), with the note on screen
    result = dialog.result_settings()
    assert (result.teacher, result.offline) == ("gemini", True)
