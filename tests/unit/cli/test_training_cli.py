"""`soe train` and `soe models ...` against a temporary store."""

import json

import click
import pytest
from click.testing import CliRunner

from soe_desktop.cli.training import COMMANDS
from soe_desktop.core.settings import Settings
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
    result = runner.invoke(cli, ["train", "--epochs", "1", "--max-tokens", "32", "--batch-size", "8", "--quiet",
                                 "--device", "cpu", "--json"])
    assert result.exit_code == 0, result.output
    return runner, json.loads(result.stdout)


def test_train_registers_an_active_model(trained):
    runner, row = trained
    assert row["status"] == "completed" and row["active"]
    assert row["dataset"]["source"] == "teacher-filtered" and row["dataset"]["examples"] == 24
    listing = runner.invoke(cli, ["models", "list"])
    assert listing.exit_code == 0 and listing.stdout.startswith(f"* {row['version']}  completed")


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
    assert (tmp_path / "export" / "adapter_config.json").exists()
    assert runner.invoke(cli, ["models", "delete", row["version"], "--yes"]).exit_code == 0
    assert "no models yet" in runner.invoke(cli, ["models", "list"]).stdout
    assert runner.invoke(cli, ["models", "activate", "nope"]).exit_code == 1
