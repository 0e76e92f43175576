"""`soe train` and `soe models ...` against a temporary store."""

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from soe_desktop.cli.training import COMMANDS
from soe_desktop.core.settings import Settings
from soe_desktop.core.training.registry import ARGS_FILE
from store_builders import fill_store  # same folder


@click.group()
@click.pass_context
def cli(ctx):
    ctx.obj = Settings()


for command in COMMANDS:
    cli.add_command(command)


@pytest.fixture
def trained(tmp_path):
    settings = Settings()
    fill_store(settings, 4, teacher_labels=True)
    runner = CliRunner()
    # No reviewed documents: the gate cannot judge, so the model is made active anyway.
    result = runner.invoke(cli, ["train", "--epochs", "1", "--max-tokens", "32", "--batch-size", "8", "--quiet",
                                 "--device", "cpu", "--json", "--activate-anyway"])
    assert result.exit_code == 0, result.output
    return runner, json.loads(result.stdout)


def test_train_registers_an_active_model(trained):
    runner, row = trained
    assert row["status"] == "completed" and row["active"]
    assert row["metrics"]["promotion"]["winner"] == ""  # nothing reviewed: not judged
    assert row["dataset"]["source"] == "teacher-filtered" and row["dataset"]["examples"] == 24
    listing = runner.invoke(cli, ["models", "list"])
    assert listing.exit_code == 0 and listing.stdout.startswith(f"* {row['version']}  completed")
    assert "gate -" in listing.stdout


def test_failed_run_exits_non_zero_and_keeps_the_active_model(trained):
    runner, row = trained
    failed = runner.invoke(cli, ["train", "--source", "human", "--quiet"])  # no human labels: empty set
    assert failed.exit_code == 1
    assert "failed" in failed.stdout and "empty" in failed.stderr
    rows = json.loads(runner.invoke(cli, ["models", "list", "--json"]).stdout)
    assert [r["version"] for r in rows if r["active"]] == [row["version"]]
    failed_version = next(r["version"] for r in rows if r["status"] == "failed")
    refused = runner.invoke(cli, ["models", "activate", failed_version])
    assert refused.exit_code == 1 and refused.stderr.startswith("error: ")


def test_export_then_delete(trained, tmp_path):
    runner, row = trained
    exported = runner.invoke(cli, ["models", "export", row["version"], str(tmp_path / "export")])
    assert exported.exit_code == 0
    assert (tmp_path / "export" / "run.json").exists()  # every head's folder has it (a features head has no adapter)
    assert runner.invoke(cli, ["models", "delete", row["version"], "--yes"]).exit_code == 0
    assert "no models yet" in runner.invoke(cli, ["models", "list"]).stdout
    assert runner.invoke(cli, ["models", "activate", "nope"]).exit_code == 1


def _outcome(winner: str, activated: bool, anyway: bool = False):
    from soe_desktop.core.app.training import TrainOutcome

    figures = lambda name, f1: {"name": name, "precision": f1, "recall": f1, "f1": f1, "tp": 1, "fp": 0, "fn": 0}  # noqa: E731
    comparison = {"method": "k-fold by document", "documents": 3, "pages": 18, "winner": winner,
                  "challenger": figures("student:v2", 0.8), "champion": figures("heuristic", 0.9),
                  "differences": [{"document": "a.pdf", "sha256": "x", "page": 7, "truth": True,
                                   "challenger": False, "champion": True}], "different_pages": 1,
                  "reason": "the new model's page F1 0.800 is worse than heuristic's 0.900", "folds": 3,
                  "held_out": ["a.pdf"]}
    row = {"version": "v2", "status": "completed", "seconds": 1.0, "peak_rss_mb": 10.0, "active": activated,
           "dataset": {"examples": 24, "source": "teacher-filtered"}, "metrics": {"promotion": comparison}}
    return TrainOutcome("completed", "v2", row=row, comparison=comparison, activated=activated,
                        activated_anyway=anyway)


@pytest.mark.parametrize("flags, anyway", [([], False), (["--activate-anyway"], True)])
def test_train_says_which_model_won_and_why(monkeypatch, flags, anyway):
    import soe_desktop.core.app.contenders as contenders

    seen = {}

    def fake(settings, store, args, source, threshold, progress=None, cancel=None, activate_anyway=False, **kw):
        seen.update(activate_anyway=activate_anyway, **kw)
        return _outcome("champion", activated=activate_anyway, anyway=activate_anyway)

    monkeypatch.setattr(contenders, "train_contenders", fake)
    result = CliRunner().invoke(cli, ["train", "--quiet", *flags])
    assert result.exit_code == 0, result.output
    assert seen["activate_anyway"] is anyway and seen["activate"] is True
    assert "the active labeler stays: the new model's page F1 0.800 is worse than heuristic's 0.900" in result.stdout
    assert "page F1: new 0.800" in result.stdout and "heuristic 0.900" in result.stdout
    assert "a.pdf p7: reviewers SoE, new not SoE, heuristic SoE" in result.stdout
    assert result.stdout.rstrip().splitlines()[1].endswith("made active anyway" if anyway else "not made active")


def test_models_list_shows_the_gate_verdict_kept_with_each_model():
    from soe_desktop.core.store import Store

    settings = Settings()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    with Store(settings.db_path) as store:
        for version, winner in (("v1", "champion"), ("v2", "challenger")):
            store.add_model(version=version, created_at=f"2026-01-0{version[1]}T00:00:00Z", status="completed",
                            metrics={"promotion": _outcome(winner, activated=False).comparison})
    lines = CliRunner().invoke(cli, ["models", "list"]).stdout.splitlines()
    assert "gate lost 0.800/0.900" in lines[0] and "gate won 0.800/0.900" in lines[1]


def test_the_lora_transformer_is_one_option_away(tmp_path):
    settings = Settings()
    fill_store(settings, 4, teacher_labels=True)
    result = CliRunner().invoke(cli, ["train", "--head", "features+text", "--max-tokens", "16", "--batch-size", "8",
                                      "--quiet", "--device", "cpu", "--json", "--no-activate"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["status"] == "completed"
    args = json.loads((Path(row["path"]) / ARGS_FILE).read_text())
    assert args["head"] == "features+text" and args["epochs"] == 2 and (Path(row["path"]) / "adapter_config.json").exists()


def test_with_lora_trains_the_transformer_student_after_the_layout_cue_one_and_the_gate_chooses():
    pytest.importorskip("peft")
    settings = Settings()
    fill_store(settings, 4, teacher_labels=True)
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "--epochs", "1", "--quiet", "--device", "cpu", "--with-lora",
                                 "--activate-anyway"])
    assert result.exit_code == 0, result.output
    rows = json.loads(runner.invoke(cli, ["models", "list", "--json"]).stdout)
    assert sorted(row["args"]["head"] for row in rows) == ["features", "features+text"]
    assert sum(row["active"] for row in rows) == 1 and all(row["status"] == "completed" for row in rows)
    assert "also trained: model" in result.stdout and "not made active" in result.stdout
