"""Where the Gemini API key comes from: the environment or the OS keyring, nowhere else.

The key is never written to the database, the settings file or a log line; `redact` strips it
from any message built from an SDK error before that message is shown or stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

import keyring
from keyring.errors import KeyringError

KEYRING_SERVICE = "soe-desktop"
KEYRING_USER = "gemini-api-key"
# Same order as the google-genai SDK: GOOGLE_API_KEY wins when both are set.
ENV_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")


@dataclass(frozen=True)
class ApiKey:
    """The key and where it was found; repr never shows the key itself."""

    value: str
    source: str  # env:GOOGLE_API_KEY | env:GEMINI_API_KEY | keyring

    def __repr__(self) -> str:
        return f"ApiKey(source={self.source!r}, value=<hidden>)"

    __str__ = __repr__


def _from_keyring() -> Optional[str]:
    try:
        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
    except (KeyringError, RuntimeError):  # no backend on a bare Linux box: treat as "not stored"
        return None


def find_api_key() -> Optional[ApiKey]:
    """The key from the environment first (explicit for this session), then the OS keyring."""
    for name in ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return ApiKey(value, f"env:{name}")
    stored = (_from_keyring() or "").strip()
    return ApiKey(stored, "keyring") if stored else None


def store_api_key(value: str) -> None:
    """Save the key in the OS keyring; raises KeyringError when no keyring is available."""
    value = value.strip()
    if not value:
        raise ValueError("the API key is empty")
    keyring.set_password(KEYRING_SERVICE, KEYRING_USER, value)


def forget_api_key() -> bool:
    """Remove the key from the OS keyring; False when none was stored."""
    try:
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
    except (KeyringError, RuntimeError):
        return False
    return True


def redact(text: str, key: Optional[ApiKey | str]) -> str:
    """`text` with every occurrence of the key replaced, for messages built from SDK errors."""
    value = key.value if isinstance(key, ApiKey) else key
    if not value:
        return text
    return text.replace(value, "<api-key>")
