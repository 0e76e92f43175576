"""The first-run sample protocol (no Qt here: the headless fallback uses it too)."""

from __future__ import annotations

from pathlib import Path

SAMPLE_NAME = "sample_protocol.pdf"


def sample_path(data_dir: Path) -> Path:
    return Path(data_dir) / "samples" / SAMPLE_NAME


def ensure_sample(data_dir: Path) -> Path:
    """Generate the sample protocol once, offline, with the synthetic generator."""
    from soe_desktop.core.synthetic import write_sample_protocol

    path = sample_path(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_sample_protocol(path)
    return path
