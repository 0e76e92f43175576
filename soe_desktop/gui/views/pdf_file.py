"""The PDF file the page view reads from, opened by us and handed to QtPdf.

QPdfDocument.close() keeps a file it opened by name open until the next load, and an open file is
locked on Windows: the user could not move or delete the PDF they dropped. Handing QtPdf a QFile
we opened ourselves lets the view close it the moment it moves to another file (the store's copy
of the same bytes) or to nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtPdf import QPdfDocument


class HeldPdfFile:
    """One open file behind a QPdfDocument; at most one at a time."""

    def __init__(self, pdf: QPdfDocument) -> None:
        self._pdf = pdf
        self._file: QFile | None = None

    @property
    def path(self) -> str:
        """The file QtPdf reads its pages from ('' when none is open)."""
        return self._file.fileName() if self._file is not None else ""

    def open(self, path: str) -> bool:
        """Open `path` and give it to QtPdf, then close the file it read before (if any). False
        when the file cannot be opened or QtPdf cannot read it (nothing is then held open)."""
        previous, file = self._file, QFile(path)
        if not file.open(QIODevice.OpenModeFlag.ReadOnly):
            return False
        self._pdf.load(file)
        if self._pdf.status() != QPdfDocument.Status.Ready:
            self._pdf.close()
            file.close()
            self._let_go(previous)
            return False
        self._file = file
        self._let_go(previous)
        return True

    def close(self) -> None:
        """QtPdf forgets the document and the file is closed."""
        self._pdf.close()
        self._let_go(self._file)

    def _let_go(self, file: QFile | None) -> None:
        if file is not None:
            file.close()
        if file is self._file:
            self._file = None
