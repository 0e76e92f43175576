"""The `soe` commands end to end on generated protocols: contract, exit codes, queue behaviour."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from soe_desktop.cli import main
from soe_desktop.core.pdf.ocr import ocr_available
from soe_desktop.core.synthetic import write_bad_inputs, write_corpus_dir


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    return write_bad_inputs(tmp_path_factory.mktemp("bad"))


def listed_pages(stdout: str, prefix: str) -> list[int]:
    """The page numbers the CLI lists after `prefix` ("SoE pages: 7, 8, 9 (heuristic ...)")."""
    match = re.search(re.escape(prefix) + r"((?:\d+, )*\d+)", stdout)
    assert match, stdout
    return [int(n) for n in match.group(1).split(", ")]


def test_triage_json_follows_the_contract_and_finds_every_soe_page(runner, sample_protocol):
    path, truth = sample_protocol
    result = runner.invoke(main, ["triage", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"document", "labeler", "candidates", "soe_pages", "seconds"}
    assert payload["document"]["pages"] == truth.page_count
    assert len(payload["document"]["sha256"]) == 64
    assert payload["labeler"] == "heuristic"
    assert truth.scored(payload["soe_pages"]) == truth.soe_pages  # a footnote-only page may go either way
    assert payload["text_less_pages"] == truth.image_only_pages
    assert payload["ocr_pages"] == (truth.image_only_pages if ocr_available() else [])
    assert set(truth.rotated_soe_pages) <= set(payload["soe_pages"])
    for candidate in payload["candidates"]:
        assert set(candidate) >= {"id", "page", "bbox", "group", "is_soe", "confidence", "source"}
        x0, top, x1, bottom = candidate["bbox"]
        assert x0 < x1 and top < bottom
    negatives = set(truth.negative_table_pages)
    assert not negatives & set(payload["soe_pages"])


def test_triage_human_table_lists_soe_pages(runner, sample_protocol):
    path, truth = sample_protocol
    result = runner.invoke(main, ["triage", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert truth.scored(listed_pages(result.stdout, "SoE pages: ")) == truth.soe_pages
    assert listed_pages(result.stdout, "Pages without a text layer: ") == truth.image_only_pages
    assert ("read by OCR: " in result.stdout) == ocr_available()


def test_triage_no_ocr_leaves_the_pictured_page_unread(runner, sample_protocol):
    path, truth = sample_protocol
    result = runner.invoke(main, ["triage", str(path), "--json", "--no-ocr"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ocr_pages"] == [] and payload["text_less_pages"] == truth.image_only_pages
    (pictured,) = [c for c in payload["candidates"] if c["page"] == truth.image_only_pages[0]]
    assert pictured["detector"] == "fallback-page"


@pytest.mark.parametrize("kind", ["empty", "not_pdf", "truncated_10", "directory", "vanished", "encrypted"])
def test_triage_bad_input_exits_non_zero_with_one_line(runner, bad_inputs, kind):
    result = runner.invoke(main, ["triage", str(bad_inputs[kind]), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")


def test_triage_missing_file(runner, tmp_path):
    result = runner.invoke(main, ["triage", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 1
    assert "file not found" in result.stderr


def test_ingest_continues_past_bad_files_and_recognises_duplicates(runner, sample_protocol, bad_inputs, tmp_path):
    path, truth = sample_protocol
    db = tmp_path / "soe.db"
    args = ["--db", str(db), "ingest", "--quiet", str(bad_inputs["not_pdf"]), str(path)]
    first = runner.invoke(main, args)
    assert first.exit_code == 1  # one file failed ...
    assert "not a PDF" in first.stderr
    assert f"{truth.page_count} pages" in first.stdout  # ... and the next one was still processed
    second = runner.invoke(main, ["--db", str(db), "ingest", "--quiet", str(path)])
    assert second.exit_code == 0
    assert "already stored" in second.stdout
    assert truth.scored(listed_pages(second.stdout, "SoE pages ")) == truth.soe_pages


def test_evaluate_scores_a_corpus_folder(runner, tmp_path):
    write_corpus_dir(tmp_path / "corpus", n_documents=2, seed=5)
    result = runner.invoke(main, ["evaluate", str(tmp_path / "corpus"), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["pages"]["protocols_with_soe"] == 1
    assert payload["pages"]["f1"] > 0.9
    assert payload["candidates"]["recall"] == 1.0


def test_evaluate_rejects_a_folder_without_labels(runner, tmp_path):
    result = runner.invoke(main, ["evaluate", str(tmp_path)])
    assert result.exit_code == 1
    assert "no labelled documents" in result.stderr


def test_triage_follows_the_second_look_setting(runner, sample_protocol):
    from soe_desktop.core.settings import Settings, save_settings

    path, truth = sample_protocol
    looked = json.loads(runner.invoke(main, ["triage", str(path), "--json"]).stdout)
    save_settings(Settings(second_look_pages=0))
    screened = json.loads(runner.invoke(main, ["triage", str(path), "--json"]).stdout)
    extra = {c["page"] for c in looked["candidates"]} - {c["page"] for c in screened["candidates"]}
    assert len(extra) == 5 and not extra & set(truth.soe_pages)
    assert looked["soe_pages"] == screened["soe_pages"]  # look-alikes for training, not new SoE calls
