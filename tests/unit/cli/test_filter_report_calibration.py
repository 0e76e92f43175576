"""`soe filter-report` reports ECE, and before/after the uncertain-reading rule when it lowered labels."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from soe_desktop.cli.cloud import filter_report
from soe_desktop.core.labeling.uncertain_reading import temper_label
from soe_desktop.core.model import Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store

from store_builders import fill_store  # noqa: E402  (same folder)


@click.group()
def cli():
    pass


cli.add_command(filter_report)


def _run(settings, *args):
    return CliRunner().invoke(cli, ["filter-report", *args], obj=settings)


def test_ece_and_the_before_after_table_and_plots(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    fill_store(settings, 1)
    store = Store(settings.db_path)
    candidates = store.candidates()
    # every page but the first is truly SoE; page 2 is a misread SoE page called "no" at 0.98
    teacher = [Label(c.id, True, 0.9, "heuristic", agree=True) for c in candidates]
    misread = next(i for i, c in enumerate(candidates) if c.page == 2)
    teacher[misread] = temper_label(Label(candidates[misread].id, False, 0.98, "heuristic", agree=True),
                                    note="read by OCR")
    store.add_labels(teacher)
    store.add_labels([Label(c.id, c.page != 1, 1.0, "human:ann") for c in candidates])
    store.close()
    out = tmp_path / "report"
    payload = json.loads(_run(settings, "--source", "heuristic", "--out", str(out), "--json").output)
    rows = {row["labels"]: row for row in payload["calibration"]}
    assert rows["uncertain reading"]["judged"] == 1
    assert rows["uncertain reading"]["ece_before"] == pytest.approx(0.98)
    assert rows["uncertain reading"]["ece_after"] <= 0.70
    assert payload["ece"] == rows["all"]["ece_after"] < rows["all"]["ece_before"]
    assert (out / "reliability_before.png").read_bytes()[:4] == b"\x89PNG"
    text = _run(settings, "--source", "heuristic", "--out", str(out)).output
    assert "ECE" in text and "| uncertain reading | 1 |" in text and "reliability_before.png" in text


def test_without_tempered_labels_there_is_no_before_plot(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    fill_store(settings, 1)
    store = Store(settings.db_path)
    candidates = store.candidates()
    store.add_labels([Label(c.id, True, 0.9, "heuristic", agree=True) for c in candidates])
    store.add_labels([Label(c.id, True, 1.0, "human:ann") for c in candidates])
    store.close()
    payload = json.loads(_run(settings, "--source", "heuristic", "--out", str(tmp_path / "r"), "--json").output)
    assert payload["ece"] == pytest.approx(0.1) and payload["reliability_before_png"] is None
