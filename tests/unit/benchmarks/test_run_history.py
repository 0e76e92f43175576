"""The run log that benchmark and experiment scripts append to (benchmarks/_history.py)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _load_history():
    # benchmarks/ is a folder of scripts, not an installed package: load the module from its file.
    spec = importlib.util.spec_from_file_location("_history_under_test", REPO / "benchmarks" / "_history.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


history = _load_history()
WHEN = datetime(2026, 12, 3, 17, 5, tzinfo=timezone.utc)
TABLE = "## Grid extraction\n\n| measure | value |\n|---|---|\n| cell F1 | 0.889 |\n"


def test_logs_live_under_docs_history():
    assert history.BENCHMARKS_LOG == REPO / "docs" / "history" / "BENCHMARKS_LOG.md"
    assert history.EXPERIMENTS_LOG == REPO / "docs" / "history" / "EXPERIMENTS_LOG.md"


def test_append_creates_the_log_and_stamps_date_machine_and_command(tmp_path):
    log = tmp_path / "history" / "LOG.md"
    history.append_run(TABLE, log, argv=["benchmarks/grid.py", "--set", "both"], now=WHEN)
    text = log.read_text(encoding="utf-8")
    assert text.startswith("# Run log")
    rest_of_heading, blank, stamp = text.split("## Grid extraction", 1)[1].splitlines()[:3]
    assert rest_of_heading == "" and blank == ""  # the stamp sits right under the run's heading
    assert "2026-12-03 17:05 UTC" in stamp
    assert f"{history.os.cpu_count()} CPUs" in stamp
    assert "`benchmarks/grid.py --set both`" in stamp
    assert "| cell F1 | 0.889 |" in text


def test_runs_are_appended_newest_last_and_earlier_text_is_kept(tmp_path):
    log = tmp_path / "LOG.md"
    log.write_text("# Benchmarks\n\nthe old record, unchanged\n", encoding="utf-8")
    history.append_run(TABLE.replace("0.889", "0.700"), log, argv=["a.py"], now=WHEN)
    history.append_run(TABLE, log, argv=["b.py"], now=WHEN)
    text = log.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nthe old record, unchanged\n\n")
    assert text.index("0.700") < text.index("0.889")
    assert text.count("## Grid extraction") == 2


def test_text_without_a_heading_gets_the_stamp_above_it():
    stamped = history.with_provenance("| a |\n|---|\n| 1 |", "STAMP")
    assert stamped.splitlines()[:2] == ["STAMP", ""]


def test_recorded_output_passes_output_through_and_appends_the_table(tmp_path, capsys):
    log = tmp_path / "LOG.md"
    with pytest.raises(SystemExit):
        with history.recorded_output(log):
            print(TABLE)
            sys.exit(0)
    assert "| cell F1 | 0.889 |" in capsys.readouterr().out
    assert "| cell F1 | 0.889 |" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("printed, code", [("skipped: no corpus at /nowhere", 0), (TABLE, 1)])
def test_a_skipped_or_failed_run_is_not_recorded(tmp_path, printed, code):
    log = tmp_path / "LOG.md"
    with pytest.raises(SystemExit):
        with history.recorded_output(log):
            print(printed)
            sys.exit(code)
    assert not log.exists()


def test_a_run_that_raises_is_not_recorded(tmp_path):
    log = tmp_path / "LOG.md"
    with pytest.raises(RuntimeError):
        with history.recorded_output(log):
            print(TABLE)
            raise RuntimeError("the benchmark broke")
    assert not log.exists()


def test_recorded_output_can_be_turned_off(tmp_path):
    log = tmp_path / "LOG.md"
    with history.recorded_output(log, enabled=False):
        print(TABLE)
    assert not log.exists()
