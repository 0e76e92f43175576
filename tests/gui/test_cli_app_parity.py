"""The same PDF dropped on the window and given to `soe ingest`, with the same settings and the same
active student, gets identical labels from identical sources: both run core.app.ingest_document."""

from __future__ import annotations

import importlib.util

import pytest
from click.testing import CliRunner

from soe_desktop.cli import main
from soe_desktop.core.store import Store
from soe_desktop.core.training.registry import ModelRegistry

from gui_test_helpers import drop_files, wait_for_queue

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in ("torch", "peft", "transformers")),
    reason="training extra not installed",
)


def _labels_by_candidate(store: Store, sha256: str) -> dict[str, list[tuple]]:
    """Every label of the document, as what a reviewer sees of it (source, verdict, confidence)."""
    labels: dict[str, list[tuple]] = {}
    for label in store.labels(sha256=sha256):
        labels.setdefault(label.candidate_id, []).append((label.source, label.is_soe, round(label.confidence, 4)))
    return labels


def test_a_drop_and_soe_ingest_give_the_same_labels(make_window, qtbot, small_protocol, tiny_student, tmp_path):
    window = make_window()
    window.start_up.finish_now()
    version = ModelRegistry.from_settings(window.store, window.settings).register(tiny_student, activate=True)["version"]
    pdf = tmp_path / "protocol.pdf"
    pdf.write_bytes(small_protocol[0].read_bytes())

    assert drop_files(window, [pdf])
    wait_for_queue(qtbot, window, 180_000)
    entry = window.queue.model.entries[-1]
    assert entry.status in ("needs review", "done"), entry.message
    in_app = _labels_by_candidate(window.store, entry.sha256)

    cli_db = tmp_path / "cli.db"  # another library, same settings file, the same trained model
    with Store(cli_db) as store:
        ModelRegistry(store, tmp_path / "cli-models").register(tiny_student, activate=True)
    result = CliRunner().invoke(main, ["--db", str(cli_db), "ingest", "--quiet", str(pdf)])
    assert result.exit_code == 0, result.output
    with Store(cli_db) as store:
        from_cli = _labels_by_candidate(store, entry.sha256)

    assert from_cli == in_app
    sources = {source for labels in in_app.values() for source, _, _ in labels}
    assert {"heuristic", f"student:{version}"} <= sources  # the teacher, then the active student
