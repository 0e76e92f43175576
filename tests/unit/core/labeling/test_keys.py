"""API key lookup: environment, then OS keyring; never in settings, DB or messages."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError, PasswordDeleteError

from soe_desktop.core.labeling import keys
from soe_desktop.core.settings import load_settings, save_settings


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise PasswordDeleteError("none")
        del self.store[(service, username)]


class NoKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise NoKeyringError("no backend")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_no_key_anywhere(memory_keyring):
    assert keys.find_api_key() is None


def test_environment_wins_google_before_gemini(memory_keyring, monkeypatch):
    keys.store_api_key("from-keyring")
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini-env")
    assert keys.find_api_key().source == "env:GEMINI_API_KEY"
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google-env")
    found = keys.find_api_key()
    assert (found.value, found.source) == ("from-google-env", "env:GOOGLE_API_KEY")


def test_keyring_store_find_forget(memory_keyring):
    keys.store_api_key("  secret-123 ")
    found = keys.find_api_key()
    assert (found.value, found.source) == ("secret-123", "keyring")
    assert "secret-123" not in repr(found) and "secret-123" not in str(found)
    assert keys.forget_api_key() is True and keys.find_api_key() is None
    assert keys.forget_api_key() is False
    with pytest.raises(ValueError):
        keys.store_api_key("   ")


def test_missing_keyring_backend_reads_as_no_key():
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        assert keys.find_api_key() is None
    finally:
        keyring.set_keyring(previous)


def test_key_never_reaches_the_settings_file(memory_keyring, tmp_path):
    keys.store_api_key("secret-xyz")
    settings = load_settings(tmp_path)
    settings.teacher = "gemini"
    path = save_settings(settings, tmp_path)
    assert "secret-xyz" not in path.read_text() and "api_key" not in json.loads(path.read_text())


def test_redact():
    key = keys.ApiKey("abc123", "keyring")
    assert keys.redact("bad key abc123 sent", key) == "bad key <api-key> sent"
    assert keys.redact("nothing", None) == "nothing"
