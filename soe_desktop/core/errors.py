"""Typed errors whose message is one line a user can act on (the CLI prints it as is)."""


class SoeError(Exception):
    """Base class: str(error) is a one-line, user-facing message."""


class BadInputError(SoeError):
    """The file cannot be read as a PDF protocol (missing, empty, not a PDF, truncated, encrypted)."""


class OfflineError(SoeError):
    """A network call was asked for while the app is set to offline or consent is missing."""
