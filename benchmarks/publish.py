"""Where every benchmark's result goes: printed, and appended to docs/BENCHMARKS.md (the record of
measured figures, newest last), unless the run asked not to touch it."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"


def publish(text: str, append: bool = True, path: Path = BENCHMARKS_MD) -> None:
    """Print `text`; with `append`, add it to the end of `path` (created with its title if missing)."""
    print(text)
    if not append:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(existing.rstrip() + "\n\n" + text.strip("\n") + "\n", encoding="utf-8")
