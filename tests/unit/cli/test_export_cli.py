"""`soe export`: the effective label of every candidate (or the SoE page lists), CSV/JSONL/XLSX, audited."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from soe_desktop.cli import main
from soe_desktop.core.model import Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from store_builders import fill_store


@pytest.fixture
def library(tmp_path):
    settings = Settings(data_dir=str(tmp_path))
    shas = fill_store(settings, n_documents=2, teacher_labels=True)
    with Store(settings.db_path) as store:  # a person overrules the teacher on one candidate
        store.add_labels([Label(f"{shas[0][-4:]}-4", True, 1.0, "human:ana")])
    return settings, shas


def run(settings: Settings, *args: str):
    return CliRunner().invoke(main, ["--db", str(settings.db_path), "export", *args])


def test_csv_holds_the_effective_label_of_every_candidate_with_its_reviewer(library, tmp_path):
    settings, shas = library
    out = tmp_path / "labels.csv"
    result = run(settings, "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 12  # two documents, six candidates each
    overruled = next(row for row in rows if row["candidate_id"] == f"{shas[0][-4:]}-4")
    assert (overruled["is_soe"], overruled["source"], overruled["reviewer"]) == ("True", "human:ana", "ana")
    teacher_only = next(row for row in rows if row["candidate_id"] == f"{shas[0][-4:]}-5")
    assert (teacher_only["is_soe"], teacher_only["source"], teacher_only["reviewer"]) == ("False", "heuristic", "")
    assert {"page", "x0", "top", "x1", "bottom", "detector", "confidence", "created_at", "filename"} <= set(rows[0])


def test_one_document_as_jsonl_and_the_export_is_audited(library, tmp_path):
    settings, shas = library
    out = tmp_path / "one.jsonl"
    result = run(settings, "--format", "jsonl", "--out", str(out), "--document", shas[1])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 6 and {r["document_sha256"] for r in records} == {shas[1]}
    with Store(settings.db_path) as store:
        (entry,) = [e for e in store.audit_entries() if e["action"] == "export"]
    assert entry["document_sha256"] == shas[1] and entry["new_value"] == str(out)


def test_soe_page_lists_as_xlsx(library, tmp_path):
    settings, shas = library
    out = tmp_path / "pages.xlsx"
    result = run(settings, "--what", "soe-pages", "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("filename", "sha256")
    by_sha = {row[1]: row[4] for row in rows[1:]}
    assert by_sha == {shas[0]: "1;2;3;4", shas[1]: "1;2;3"}


def test_an_unknown_document_is_one_line_on_stderr(library, tmp_path):
    settings, _ = library
    result = run(settings, "--out", str(tmp_path / "x.csv"), "--document", "no-such-thing")
    assert result.exit_code != 0 and "no document in the library" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_the_grids_of_a_stored_document_as_usdm(tmp_path, sample_protocol):
    from soe_desktop.core.app.ingest import ingest_document
    from soe_desktop.core.grid.usdm import validation_errors

    settings = Settings(data_dir=str(tmp_path))
    with Store(settings.db_path) as store:
        sha256 = ingest_document(sample_protocol[0], settings, store).sha256
    out = tmp_path / "grid.json"
    result = run(settings, "--what", "grids", "--format", "usdm", "--document", sha256, "--out", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert validation_errors(document) == [] and document["studyDesign"]["activities"]
    missing = run(settings, "--what", "grids", "--out", str(tmp_path / "all.csv"))
    assert missing.exit_code != 0 and "--document" in missing.output
