"""Unit tests: never the user's keyring; Gemini answered by a fake server when a test asks for `fake`
(the fakes live in core/labeling/gemini_fakes.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from soe_desktop.core.labeling import cloud_gate

sys.path.insert(0, str(Path(__file__).resolve().parent / "core" / "labeling"))
from gemini_fakes import FakeGemini  # noqa: E402


@pytest.fixture(autouse=True)
def no_os_keyring():
    """The user's real keyring must not leak a key into these tests."""
    import keyring
    from keyring.backends.null import Keyring as NullKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NullKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def fake(monkeypatch):
    """Gemini's client talks to a fake server (one attempt per request)."""
    fake = FakeGemini()
    monkeypatch.setattr(cloud_gate, "build_client", lambda key, **_: fake.client(attempts=1))
    return fake
