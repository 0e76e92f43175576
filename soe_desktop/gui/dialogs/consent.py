"""Ask before any page text leaves the machine for the cloud teacher."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class ConsentDialog(QDialog):
    """Yes/no for sending one document's candidate tables to Gemini, with 'remember' for new documents."""

    def __init__(self, document_names: list[str], model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Send tables to Gemini?")
        layout = QVBoxLayout(self)
        names = ", ".join(document_names[:5]) + (f" and {len(document_names) - 5} more" if len(document_names) > 5 else "")
        text = QLabel(
            f"<p>The cloud teacher ({model}) will receive the <b>candidate tables and the text around them</b> "
            f"from: {names}.</p><p>Nothing else leaves this computer. Each request is logged with its "
            "token count and estimated cost (see the dashboard). Choose <i>No</i> to use the offline "
            "heuristic teacher for these documents instead.</p>"
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.remember = QCheckBox("Do not ask again for new documents (can be changed in Settings)")
        layout.addWidget(self.remember)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
