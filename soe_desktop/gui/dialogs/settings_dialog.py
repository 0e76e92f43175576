"""Settings: teacher, API key (OS keyring), consent default, thresholds, base model and data folders.

The dialog stays narrow whatever it has to say: messages (a keyring error can be a 2,000-character
line with long unbroken paths) wrap anywhere and scroll inside a few lines, and choices that
contradict each other (Gemini as teacher while offline) are explained where they are made.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from soe_desktop.core.app.labelers import teacher_entries
from soe_desktop.core.settings import Settings

MESSAGE_LINES = 5  # a long error scrolls inside this many lines instead of growing the dialog
OFFLINE_WINS = ("Offline mode wins: nothing is sent to Gemini, and the offline heuristic labels new "
                "documents instead. Untick Offline to use Gemini.")


def _threshold_box(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 1.0)
    box.setSingleStep(0.01)
    box.setDecimals(2)
    box.setValue(value)
    return box


def _note(text: str = "", colour: str = "", small: bool = False) -> QLabel:
    """A wrapped, selectable, plain-text line under a setting (never markup: errors quote outside text)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if colour:
        label.setStyleSheet(f"color: {colour}")
    if small:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        label.setFont(font)
    return label


class MessageText(QPlainTextEdit):
    """The dialog's error message: read-only, selectable, wrapped at any character (a QLabel only
    breaks between words, so one long path would still widen the dialog), hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        self.setStyleSheet("QPlainTextEdit { color: #b03030; background: transparent; }")
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * MESSAGE_LINES + 8)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.hide()

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)
        self.setVisible(bool(text))


class SettingsDialog(QDialog):
    """Edits a copy of Settings; `result_settings()` after accept. The API key goes to the keyring only.

    `data_folder_busy` says why the data folder cannot change now (work running): the field is
    then locked with that reason shown, instead of failing after OK.
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None, data_folder_busy: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self._browse_buttons: dict[str, QPushButton] = {}
        form = QFormLayout()
        self.teacher = QComboBox()
        for entry in teacher_entries():
            self.teacher.addItem(entry.title, entry.name)
        self.teacher.setCurrentIndex(max(0, self.teacher.findData(settings.teacher)))
        form.addRow("Teacher", self.teacher)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("leave empty to keep the stored key")
        self.key_status = _note(self._key_status())
        form.addRow("Gemini API key", self.api_key)
        form.addRow("", self.key_status)
        self.offline = QCheckBox("Offline: never use the network")
        self.offline.setChecked(settings.offline)
        form.addRow("", self.offline)
        self.offline_note = _note(OFFLINE_WINS, "#9a6700")
        form.addRow("", self.offline_note)
        self.consent = QCheckBox("Send new documents to the cloud teacher without asking")
        self.consent.setChecked(settings.cloud_consent_default)
        form.addRow("Cloud consent", self.consent)
        self.teacher.currentIndexChanged.connect(self._explain_teacher)
        self.offline.toggled.connect(self._explain_teacher)
        self._explain_teacher()
        self.filter_threshold = _threshold_box(settings.filter_threshold)
        form.addRow("Selective filter threshold", self.filter_threshold)
        self.auto_accept = _threshold_box(settings.auto_accept_threshold)
        form.addRow("Auto-accept labels at or above", self.auto_accept)
        self.uncertain = _threshold_box(settings.uncertain_threshold)
        form.addRow("Student uncertain below", self.uncertain)
        self.read_scanned = QCheckBox("Read scanned SoE-like pages with OCR (on this computer, ~3 s a page)")
        self.read_scanned.setChecked(settings.read_scanned_pages)
        form.addRow("Scanned pages", self.read_scanned)
        self.second_look = QSpinBox()
        self.second_look.setRange(0, 20)
        self.second_look.setValue(settings.second_look_pages)
        self.second_look.setSuffix(" pages per protocol")
        self.second_look.setToolTip("Pages that looked somewhat like an SoE are examined too (~0.3 s each): "
                                    "look-alike tables the local student learns from. 0 = off.")
        form.addRow("Second look", self.second_look)
        self.base_model = self._folder_row(form, "Base model folder", settings.base_model,
                                           "empty = packaged MiniLM (offline)")
        self.data_dir = self._folder_row(form, "Data folder", settings.data_dir, str(settings.data_path))
        self.data_dir_note = _note(self._data_folder_note(data_folder_busy), small=True)
        form.addRow("", self.data_dir_note)
        if data_folder_busy:
            self.data_dir.setEnabled(False)
            self._browse_buttons["data_dir"].setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.message = MessageText(self)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _folder_row(self, form: QFormLayout, title: str, value: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setPlaceholderText(placeholder)
        browse = QPushButton("Browse…")
        browse.setProperty("edit_name", "base_model" if title.startswith("Base") else "data_dir")
        browse.clicked.connect(self._browse)
        self._browse_buttons[str(browse.property("edit_name"))] = browse
        row = QHBoxLayout()
        row.addWidget(edit)
        row.addWidget(browse)
        form.addRow(title, row)
        return edit

    @staticmethod
    def _data_folder_note(busy: str) -> str:
        if busy:
            return (f"The data folder can be changed once nothing is running ({busy} now). "
                    "Wait until the queue has finished or cancel it.")
        return ("A new data folder opens its own library at once. Documents in the current "
                "folder stay there; nothing is moved or deleted.")

    def gemini_while_offline(self) -> bool:
        return self.teacher.currentData() == "gemini" and self.offline.isChecked()

    @Slot()
    def _explain_teacher(self) -> None:
        """Gemini while offline is allowed (offline is a safety switch) but never silent: the note
        says offline wins, and cloud consent, which cannot apply while offline, is greyed out."""
        self.offline_note.setVisible(self.gemini_while_offline())
        self.consent.setEnabled(not self.offline.isChecked())
        self.consent.setToolTip("Offline mode is on: nothing is sent, so there is nothing to consent to"
                                if self.offline.isChecked() else "")

    @staticmethod
    def _key_status() -> str:
        try:
            from soe_desktop.core.labeling.keys import find_api_key
        except ImportError:  # the cloud extra is not installed
            return "cloud support not installed"
        key = find_api_key()
        return f"a key is stored ({key.source})" if key else "no key stored"

    @Slot()
    def _browse(self) -> None:
        edit = getattr(self, str(self.sender().property("edit_name")))
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder", edit.text())
        if folder:
            edit.setText(folder)

    @Slot()
    def _on_accept(self) -> None:
        key = self.api_key.text().strip()
        if key:
            try:
                from soe_desktop.core.labeling.keys import store_api_key

                store_api_key(key)
            except Exception as error:  # no keyring backend: say so, keep the dialog open
                self.message.setText(f"Could not store the key in the OS keyring: {error}. "
                                     "Set GOOGLE_API_KEY in the environment instead.")
                return
        self.accept()

    def result_settings(self) -> Settings:
        return replace(
            self.settings,
            teacher=str(self.teacher.currentData()),
            offline=self.offline.isChecked(),
            cloud_consent_default=self.consent.isChecked(),
            filter_threshold=self.filter_threshold.value(),
            auto_accept_threshold=self.auto_accept.value(),
            uncertain_threshold=self.uncertain.value(),
            read_scanned_pages=self.read_scanned.isChecked(),
            second_look_pages=self.second_look.value(),
            base_model=self.base_model.text().strip(),
            data_dir=self.data_dir.text().strip(),
        )
