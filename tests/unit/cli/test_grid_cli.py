"""`soe grid`: the JSON contract, the file exports and bad input, on a synthetic protocol."""

import json

import pytest
from click.testing import CliRunner

from soe_desktop.cli import main
from soe_desktop.core.synthetic import write_protocol


@pytest.fixture(scope="module")
def protocol(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid_cli") / "protocol.pdf"
    truth = write_protocol(path, seed=3, prose_pages=2, image_only_soe=False)
    return path, truth


def _run(args, tmp_path):
    return CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), "grid", *args])


def test_json_contract_main_grid_equals_what_was_drawn(protocol, tmp_path):
    path, truth = protocol
    result = _run([str(path), "--json", "--no-ocr"], tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["document"]["pages"] == truth.page_count and len(data["document"]["sha256"]) == 64
    drawn = truth.grids[0]
    main_grid = data["grids"][0]  # main schedule first
    assert main_grid["pages"] == drawn.pages
    labels = {column["id"]: column["label"] for column in main_grid["columns"]}
    assert list(labels.values()) == drawn.columns
    got = {row["activity"]: ({labels[k]: v for k, v in row["marks"].items()}, row["footnote_refs"], row["section"])
           for row in main_grid["rows"]}
    assert got == {row.activity: (row.marks, row.footnote_refs, row.section) for row in drawn.rows}
    assert {ref: main_grid["footnotes"].get(ref) for ref in drawn.footnotes} == drawn.footnotes
    assert [grid["pages"][0] for grid in data["grids"][1:]] == sorted(g[0] for g in truth.group_pages[1:])


def test_file_exports(protocol, tmp_path):
    path, _ = protocol
    out = tmp_path / "out"
    result = _run([str(path), "-q", "--no-ocr", "--csv", str(out / "g.csv"), "--xlsx", str(out / "g.xlsx"),
                   "--usdm", str(out / "g.json")], tmp_path)
    assert result.exit_code == 0, result.output
    assert (out / "g.csv").exists() and (out / "g_footnotes.csv").exists() and (out / "g.xlsx").exists()
    usdm = json.loads((out / "g.json").read_text())
    assert usdm["usdmVersion"] == "4.0.0" and usdm["studyDesign"]["scheduleTimelines"][0]["mainTimeline"]


def test_bad_input_one_line_and_non_zero_exit(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    result = _run([str(bad), "--json"], tmp_path)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error:")


def test_json_contract_keys_of_the_second_reading_and_the_sanity_rules(protocol, tmp_path):
    path, _ = protocol
    data = json.loads(_run([str(path), "--json", "--no-ocr"], tmp_path).stdout)
    assert data["unreadable_pages"] == []
    # A table the labeler calls SoE that is no grid (a look-alike) is named, never silently dropped.
    assert all(failure["reason"] and failure["pages"] for failure in data["failed"])
    main_grid = data["grids"][0]
    for key in ("suspect", "redacted", "uncertain_share", "unreadable_pages", "checked_pages", "caption"):
        assert key in main_grid
    assert main_grid["suspect"] == "" and main_grid["uncertain_share"] <= 0.05
    assert all(isinstance(row["uncertain"], list) for row in main_grid["rows"])


def test_tables_whose_finder_raises_are_named_with_their_reason(protocol, tmp_path, monkeypatch):
    from soe_desktop.core.grid import page_reading

    def crash(*_args):
        raise RuntimeError("table finder crashed")

    monkeypatch.setattr(page_reading, "_read_text_page", crash)
    path, truth = protocol
    result = _run([str(path), "--json", "--no-ocr"], tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["grids"] == []
    assert {failure["pages"][0] for failure in data["failed"]} >= {g[0] for g in truth.group_pages}
    assert all(failure["reason"].startswith("no page of the table could be read") for failure in data["failed"])
    assert {entry["page"] for entry in data["unreadable_pages"]} >= set(truth.grids[0].pages)
    text = _run([str(path), "--no-ocr", "-q"], tmp_path)
    assert text.exit_code == 0
    first = data["failed"][0]
    assert f"no grid for the SoE table on pages {', '.join(map(str, first['pages']))}: {first['reason']}" in text.output
