"""The kept PDF copy and the CSV/JSONL exports."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from store_factories import label, make_candidate, make_document

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.store.exports import export_labels, export_soe_pages
from soe_desktop.core.store.files import keep_copy

PDF_BYTES = b"%PDF-1.4\n% tiny test bytes\n%%EOF\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_keep_copy_stores_by_sha_and_survives_the_original_moving(tmp_path):
    src = tmp_path / "inbox" / "protocol.pdf"
    src.parent.mkdir()
    src.write_bytes(PDF_BYTES)
    stored = keep_copy(src, tmp_path / "documents", _sha(PDF_BYTES))
    assert stored == tmp_path / "documents" / f"{_sha(PDF_BYTES)}.pdf"
    src.unlink()
    assert stored.read_bytes() == PDF_BYTES
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]  # no temp file left


def test_keep_copy_is_a_no_op_when_present(tmp_path):
    src = tmp_path / "p.pdf"
    src.write_bytes(PDF_BYTES)
    first = keep_copy(src, tmp_path / "docs", _sha(PDF_BYTES))
    mtime = first.stat().st_mtime_ns
    src.unlink()  # a second call must not even need the source
    assert keep_copy(src, tmp_path / "docs", _sha(PDF_BYTES)) == first
    assert first.stat().st_mtime_ns == mtime


def test_keep_copy_refuses_bytes_that_do_not_match_the_fingerprint(tmp_path):
    src = tmp_path / "p.pdf"
    src.write_bytes(PDF_BYTES + b"changed")
    with pytest.raises(BadInputError):
        keep_copy(src, tmp_path / "docs", _sha(PDF_BYTES))
    assert list((tmp_path / "docs").iterdir()) == []


def test_keep_copy_of_missing_file_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="not found"):
        keep_copy(tmp_path / "gone.pdf", tmp_path / "docs", "0" * 64)


@pytest.fixture
def labelled(store, document):
    human = label("c2", False, "human:alice", 1.0)
    store.add_labels([label("c1", True, "heuristic", 0.9, agree=True), label("c2", True, "gemini", 0.6), human])
    store.retract(human.id, "alice")
    other = make_document("second")
    store.add_document(other, "s", "second.pdf")
    store.replace_candidates(other.sha256, [make_candidate(other, "s1", page=4)])
    store.add_labels([label("s1", True, "human:bob", 1.0)])
    return document, other


def test_export_labels_csv_of_one_document(store, labelled, tmp_path):
    document, _ = labelled
    out = tmp_path / "labels.csv"
    assert export_labels(store, out, sha256=document.sha256) == 3
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["candidate_id"], r["source"]) for r in rows] == [("c1", "heuristic"), ("c2", "gemini"), ("c2", "human:alice")]
    assert [r["retracted"] for r in rows] == ["False", "False", "True"]
    assert [r["effective"] for r in rows] == ["True", "True", "False"]
    assert rows[0]["page"] == "1" and rows[0]["filename"] == "protocol.pdf" and rows[0]["agree"] == "True"
    assert rows[1]["agree"] == ""


def test_export_effective_labels_jsonl_of_all_documents(store, labelled, tmp_path):
    out = tmp_path / "labels.jsonl"
    assert export_labels(store, out, effective_only=True) == 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(r["candidate_id"], r["source"]) for r in records} == {("c1", "heuristic"), ("c2", "gemini"), ("s1", "human:bob")}
    assert all(r["effective"] for r in records)
    assert records[0]["x1"] == 300.5


def test_export_soe_pages_csv_and_jsonl(store, labelled, tmp_path):
    document, other = labelled
    assert export_soe_pages(store, tmp_path / "soe.csv") == 2
    with open(tmp_path / "soe.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["filename"], r["soe_pages"]) for r in rows] == [("protocol.pdf", "1;2"), ("second.pdf", "4")]
    export_soe_pages(store, tmp_path / "soe.jsonl")
    records = [json.loads(line) for line in (tmp_path / "soe.jsonl").read_text().splitlines()]
    assert records[0]["sha256"] == document.sha256 and records[0]["soe_pages"] == [1, 2]
    assert records[1]["soe_pages"] == [4]


def test_unknown_export_format_is_refused(store, tmp_path):
    with pytest.raises(ValueError):
        export_labels(store, tmp_path / "x.ods", fmt="ods")
    assert list(tmp_path.glob("x.*")) == []


def test_every_registered_format_round_trips_the_label_rows(store, tmp_path):
    from openpyxl import load_workbook

    from soe_desktop.core.store.exports import EXPORT_FORMATS

    written = {name: export_labels(store, tmp_path / f"labels{fmt.suffix}") for name, fmt in EXPORT_FORMATS.items()}
    assert set(written) >= {"csv", "jsonl", "xlsx"} and len(set(written.values())) == 1
    sheet = load_workbook(tmp_path / "labels.xlsx").worksheets[0]
    assert sheet.max_row == written["xlsx"] + 1 and sheet.cell(1, 1).value == "document_sha256"
