"""`soe-desktop --self-test`: the runner prints one line per step, stops at the first failure and
names it; the real workflow runs end to end as a subprocess (the way an installer or a user runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from soe_desktop.core.app import self_test
from soe_desktop.core.app.self_test import StepFailed, run_self_test

REPO_ROOT = Path(__file__).resolve().parents[4]


def _fake_steps(monkeypatch, calls: list[str], fail_at: str = "", error: Exception | None = None):
    """The runner's own logic, with steps that record they ran (and one that fails)."""

    def step(name):
        def run(_run):
            calls.append(name)
            if name == fail_at:
                raise error
            return f"{name} done"
        return run

    monkeypatch.setattr(self_test, "_steps", lambda with_lora: [(name, step(name)) for name in
                                                                 ("sample", "detect", "grid", "train")
                                                                 + (("lora",) if with_lora else ())])


def test_one_line_per_step_and_a_verdict(monkeypatch):
    calls, lines = [], []
    _fake_steps(monkeypatch, calls)
    report = run_self_test(lines.append, with_lora=True)
    assert report.ok and calls == ["sample", "detect", "grid", "train", "lora"]
    assert [line.split()[:2] for line in lines[:-1]] == [["ok", name] for name in calls]
    assert lines[-1] == "self-test passed"


def test_the_first_failing_step_stops_the_run_and_is_named(monkeypatch):
    calls, lines = [], []
    _fake_steps(monkeypatch, calls, fail_at="detect", error=StepFailed("no SoE page found"))
    report = run_self_test(lines.append, with_lora=False)
    assert not report.ok and report.failed_step == "detect"
    assert calls == ["sample", "detect"]  # grid and train did not run
    assert lines[1].startswith("FAIL detect") and "no SoE page found" in lines[1]
    assert lines[-1] == "self-test FAILED at step 'detect'"


def test_an_unexpected_error_is_reported_with_where_it_came_from(monkeypatch):
    calls, lines = [], []
    _fake_steps(monkeypatch, calls, fail_at="train", error=FileNotFoundError("modelcard_template.md"))
    report = run_self_test(lines.append, with_lora=False)
    assert report.failed_step == "train"
    assert "FileNotFoundError: modelcard_template.md (test_self_test.py:" in lines[3]


def test_without_the_training_libraries_the_lora_step_is_skipped_and_said(monkeypatch):
    calls, lines = [], []
    _fake_steps(monkeypatch, calls)
    monkeypatch.setattr(self_test, "lora_available", lambda: False)
    assert run_self_test(lines.append).ok
    assert "lora" not in calls and any(line.startswith("skip lora") and "not installed" in line for line in lines)


def test_the_library_is_temporary_and_the_user_data_folder_is_untouched(monkeypatch, isolated_app_dirs):
    seen = []
    monkeypatch.setattr(self_test, "_steps", lambda with_lora: [("sample", lambda run: seen.append(run) or "ok")])
    run_self_test(lambda line: None, with_lora=False)
    run = seen[0]
    assert run.settings.offline and run.settings.teacher == "heuristic"
    assert not run.folder.exists()  # removed afterwards
    assert not (isolated_app_dirs / "data").exists()


@pytest.mark.slow
def test_the_real_workflow_passes_as_a_subprocess(tmp_path):
    """The whole run (sample, detect, offline teacher, grid, layout-cue student, one LoRA epoch where
    installed) from a folder outside the repository, the way `soe-desktop --self-test` is run."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "soe_desktop", "--self-test"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in ("sample", "detect", "grid", "train"):
        assert any(line.startswith(f"ok   {step}") for line in lines), done.stdout
    assert lines[-1] == "self-test passed"
    assert any(line.startswith(("ok   lora", "skip lora")) for line in lines)
