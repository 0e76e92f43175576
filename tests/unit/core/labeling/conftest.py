"""Fixtures for the Gemini teacher tests (helpers live in gemini_fakes.py)."""

from __future__ import annotations

import pytest

from gemini_fakes import FakeGemini


@pytest.fixture
def fake_gemini() -> FakeGemini:
    """A fake Gemini server: records requests, answers from `decide`, can be told to fail."""
    return FakeGemini()
