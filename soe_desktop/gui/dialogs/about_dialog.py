"""Help ▸ About: the version, where the data lives, which model labels, and the bundled parts' licences."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from soe_desktop import __version__
from soe_desktop.gui.bundled_parts import BUNDLED_PARTS



def installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def parts_table() -> list[tuple[str, str, str]]:
    """(part, version, licence) of each part present in this installation."""
    rows = []
    for title, distribution, licence in BUNDLED_PARTS:
        version = installed_version(distribution)
        if version:
            rows.append((title, version, licence))
    return rows


def active_model_text(store) -> str:
    model = store.active_model() if store is not None else None
    if not model:
        return "none yet: tables are labelled by the offline teacher"
    dataset = model.get("dataset") or {}
    trained = f", trained on {dataset['examples']} labelled tables" if dataset.get("examples") else ""
    return f"{model['version']}{trained}"


class AboutDialog(QDialog):
    def __init__(self, data_folder: Path, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About SoE Desktop")
        self.data_folder = Path(data_folder)
        layout = QVBoxLayout(self)
        summary = QLabel(f"<h3>SoE Desktop {__version__}</h3>"
                         "<p>Finds the Schedule of Events in clinical trial protocols.</p>"
                         f"<p><b>Data folder:</b> {_escape(str(self.data_folder))}<br>"
                         f"<b>Active model:</b> {_escape(active_model_text(store))}</p>")
        summary.setWordWrap(True)
        summary.setObjectName("about_summary")
        layout.addWidget(summary)
        open_folder = QPushButton("Open data folder")
        open_folder.clicked.connect(self.open_data_folder)
        layout.addWidget(open_folder)
        layout.addWidget(QLabel("Made with these parts (each under its own licence):"))
        self.parts = self._parts_widget(parts_table())
        layout.addWidget(self.parts)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 520)

    @staticmethod
    def _parts_widget(rows: list[tuple[str, str, str]]) -> QTableWidget:
        table = QTableWidget(len(rows), 3)
        table.setHorizontalHeaderLabels(["Part", "Version", "Licence"])
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(value))
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return table

    def open_data_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_folder)))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
