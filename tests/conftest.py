"""Suite-wide isolation: no test touches the user's real data folder, settings or the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = Path(os.environ.get("SOE_CORPUS_DIR", REPO_ROOT.parent / "shared" / "corpus"))


@pytest.fixture(autouse=True)
def isolated_app_dirs(tmp_path_factory, monkeypatch):
    """Point data, config and DB at a fresh temp folder and keep Hugging Face offline."""
    base = tmp_path_factory.mktemp("appdirs")
    monkeypatch.setenv("SOE_DESKTOP_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("SOE_DESKTOP_CONFIG_DIR", str(base / "config"))
    monkeypatch.delenv("SOE_DESKTOP_DB", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    for key in ("GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    return base


@pytest.fixture(scope="session")
def sample_protocol(tmp_path_factory):
    """The first-run sample protocol and its ground truth, generated once per test run."""
    from soe_desktop.core.synthetic import write_sample_protocol

    path = tmp_path_factory.mktemp("sample") / "sample_protocol.pdf"
    truth = write_sample_protocol(path)
    return path, truth


@pytest.fixture(scope="session")
def three_protocols(tmp_path_factory):
    """Three distinct generated protocols (two to learn from, one new one to label), generated once."""
    from soe_desktop.core.synthetic import write_protocol

    folder = tmp_path_factory.mktemp("three_protocols")
    paths = [folder / f"protocol_{seed}.pdf" for seed in (5, 6, 7)]
    for seed, path in zip((5, 6, 7), paths):
        write_protocol(path, seed=seed)
    return paths
