"""Open a PDF safely: fingerprint it, count pages, and turn every way it can fail into one BadInputError."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pypdfium2 as pdfium

from soe_desktop.core.errors import BadInputError, DamagedPdfError, EncryptedPdfError
from soe_desktop.core.model import Document

_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """Fingerprint by content, so the same bytes dropped twice are one document."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise BadInputError(f"{path.name}: file not found")
    if not path.is_file():
        raise BadInputError(f"{path.name}: not a file")
    if path.stat().st_size == 0:
        raise BadInputError(f"{path.name}: the file is empty (0 bytes)")
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise BadInputError(f"{path.name}: not a PDF file")


def open_pdfium(path: str | Path) -> pdfium.PdfDocument:
    """Open with pdfium, mapping its errors to a message a user understands."""
    path = Path(path)
    _check_file(path)
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        text = str(error).lower()
        if "password" in text:
            raise EncryptedPdfError(encrypted_message(path.name)) from None
        if "format" in text or "file" in text:
            raise DamagedPdfError(f"{path.name}: the PDF is damaged or truncated and cannot be read") from None
        raise DamagedPdfError(f"{path.name}: cannot read the PDF ({error})") from None


def encrypted_message(name: str) -> str:
    return f"{name}: the PDF is encrypted; remove the password and try again"


def open_document(path: str | Path, sha256: str = "") -> Document:
    """Validate `path` and return its Document; raises BadInputError with a one-line message.
    `sha256`: the fingerprint when the caller already has it (it is not computed again)."""
    pdf = open_pdfium(path)
    try:
        return document_of(pdf, path, sha256)
    finally:
        pdf.close()


def document_of(pdf: pdfium.PdfDocument, path: str | Path, sha256: str = "") -> Document:
    """The Document of an opened PDF (fingerprinted now unless `sha256` is given)."""
    path = Path(path)
    page_count = len(pdf)
    if page_count == 0:
        raise BadInputError(f"{path.name}: the PDF has no pages")
    return Document(path=str(path), sha256=sha256 or sha256_of(path), page_count=page_count)
