"""The Epochs field of the training panel: a spin box whose range is shown beside it, and which
says so when a typed number is over its maximum instead of dropping the keystroke.

Why: a plain QSpinBox with maximum 50 rejects the third digit of "300", so the user typed 300 and
got 30 without a word. Here the number stays in the box while it is typed, a visible note says the
most a run takes, and the value becomes that maximum only when editing ends (Enter, or leaving the
field), with the note saying so. The panel asks `out_of_range()` before it starts a run.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

# The most epochs one run takes from the panel: the largest count measured. The layout-cue head's
# page F1 was 0.974 / 0.974 / 0.975 / 0.975 at 2 / 10 / 30 / 100 epochs (docs/EXPERIMENTS.md), so
# more only costs time (a LoRA epoch is about a minute on a CPU). The CLI takes any number.
MAX_EPOCHS = 100


def typed_number(text: str) -> int | None:
    """The whole number typed in `text`, or None when it is not one."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else None


class EpochsSpinBox(QSpinBox):
    """A QSpinBox that keeps a typed number over its maximum as Intermediate (shown, not dropped)."""

    def validate(self, text: str, pos: int):
        number = typed_number(text)
        if number is not None and number > self.maximum():
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        number = typed_number(text)
        if number is not None and number > self.maximum():
            return str(self.maximum())
        return super().fixup(text)


class EpochsField(QWidget):
    """The spin box and its note: the range while the number is in it, else what is wrong or was done."""

    clamped = Signal(int)  # a typed number over the maximum was set to the maximum (the number typed)

    def __init__(self, value: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = EpochsSpinBox(minimum=1, maximum=MAX_EPOCHS)
        self.spin.setValue(value)
        self.spin.setToolTip(f"Passes over the training set: 1 to {MAX_EPOCHS} from here.")
        self.note = QLabel(self.range_text())
        self.note.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addWidget(self.note, 1)
        self.spin.lineEdit().textEdited.connect(self._on_edited)
        self.spin.editingFinished.connect(self._on_editing_finished)
        self._typed_over: int | None = None

    def range_text(self) -> str:
        return f"1 to {MAX_EPOCHS}"

    def out_of_range(self) -> str:
        """'' when the box holds a number it can run with, else what is wrong, in words."""
        number = typed_number(self.spin.lineEdit().text())
        if number is not None and number > MAX_EPOCHS:
            return f"{number} epochs is over the maximum of {MAX_EPOCHS}: type a number from 1 to {MAX_EPOCHS}."
        return ""

    def value(self) -> int:
        return self.spin.value()

    def setValue(self, value: int) -> None:
        self.spin.setValue(value)
        self._show_note()

    @Slot(str)
    def _on_edited(self, _text: str) -> None:
        problem = self.out_of_range()
        self._typed_over = typed_number(self.spin.lineEdit().text()) if problem else None
        self._show_note(problem)

    @Slot()
    def _on_editing_finished(self) -> None:
        typed, self._typed_over = self._typed_over, None
        if typed is None:
            self._show_note()
            return
        if self.spin.value() != MAX_EPOCHS or typed_number(self.spin.lineEdit().text()) != MAX_EPOCHS:
            self.spin.setValue(MAX_EPOCHS)  # where Qt kept the old value instead of fixing the text up
        self._show_note(f"{typed} is over the maximum: set to {MAX_EPOCHS} epochs, the most a run takes here.",
                        warning=True)
        self.clamped.emit(typed)

    def _show_note(self, text: str = "", warning: bool | None = None) -> None:
        self.note.setText(text or self.range_text())
        self.note.setStyleSheet("color: #b35900;" if (warning if warning is not None else bool(text)) else "")
