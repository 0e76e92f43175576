"""The LoRA student end to end from the command line, as a user runs it: ingest protocols (the
offline teacher labels them), `soe train --head features+text`, the gate's verdict, activation, and
the active LoRA student labelling a protocol ingested afterwards."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import pytest
from click.testing import CliRunner

from soe_desktop.cli import main
from soe_desktop.core.store import Store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(importlib.util.find_spec(name) is None for name in ("torch", "peft", "transformers")),
                       reason="training extra not installed"),
]


def test_train_a_lora_student_activate_it_and_it_labels_the_next_protocol(three_protocols, tmp_path):
    runner = CliRunner()
    db = ["--db", str(tmp_path / "library.db")]
    for path in three_protocols[:2]:
        assert runner.invoke(main, [*db, "ingest", "--quiet", str(path)]).exit_code == 0

    trained = runner.invoke(main, [*db, "train", "--head", "features+text", "--source", "teacher-all",
                                   "--max-tokens", "16", "--batch-size", "8", "--device", "cpu", "--quiet",
                                   "--activate-anyway"])
    assert trained.exit_code == 0, trained.output
    assert "gate" in trained.stdout.lower() or "active" in trained.stdout.lower(), trained.stdout
    models = json.loads(runner.invoke(main, [*db, "models", "list", "--json"]).stdout)
    active = [row for row in models if row["active"]]
    assert len(active) == 1 and active[0]["args"]["head"] == "features+text"

    ingested = runner.invoke(main, [*db, "ingest", "--quiet", str(three_protocols[2])])
    assert ingested.exit_code == 0, ingested.output
    sha = hashlib.sha256(three_protocols[2].read_bytes()).hexdigest()
    with Store(tmp_path / "library.db") as store:
        assert store.candidates(sha), "the new protocol has no candidates"
        sources = {label.source for label in store.labels(sha256=sha, source_prefix="student:")}
        unlabelled = {c.id for c in store.candidates(sha)} - {
            label.candidate_id for label in store.labels(sha256=sha, source_prefix="student:")}
    assert sources == {f"student:{active[0]['version']}"} and not unlabelled, (sources, unlabelled)
