"""Typed errors whose message is one line a user can act on (the CLI prints it as is)."""


class SoeError(Exception):
    """Base class: str(error) is a one-line, user-facing message."""


class BadInputError(SoeError):
    """The file cannot be read as a PDF protocol (missing, empty, not a PDF, truncated, encrypted)."""


class OfflineError(SoeError):
    """A network call was asked for while the app is set to offline or consent is missing."""


class DamagedPdfError(BadInputError):
    """The file starts like a PDF but pdfium cannot open it (truncated, broken cross-references):
    worth a repair (core/pdf/repair.py) before giving up."""


class EncryptedPdfError(BadInputError):
    """The PDF needs a password to open (an owner password alone does not stop reading)."""


class PageError(SoeError):
    """One page cannot be analysed (a table finder or OCR failed on it): that page is skipped and
    reported unreadable, the rest of the document carries on."""
