"""soe batch's parts that need no cluster: inputs, the worker step run in-process, the summary."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from soe_desktop.core.app.batch import DONE, FAILED, SKIPPED, BatchSummary, Outcome, batch_inputs
from soe_desktop.core.app.batch_worker import DocumentJob, as_stored, compute_document
from soe_desktop.core.app.ingest import IngestResult, store_teacher_pass
from soe_desktop.core.errors import BadInputError
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.store.files import store_copy
from soe_desktop.core.synthetic.damaged import write_many_pages, write_small_protocol


def test_a_folder_gives_its_pdfs_recursively_in_order(tmp_path):
    for name in ("b.pdf", "sub/a.pdf", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert batch_inputs(tmp_path) == [tmp_path / "b.pdf", tmp_path / "sub" / "a.pdf"]


def test_a_list_file_gives_its_paths_relative_to_itself(tmp_path):
    listing = tmp_path / "lists" / "archive.txt"
    listing.parent.mkdir()
    listing.write_text("# protocols\n\nrel/one.pdf\n  /abs/two.pdf  \n", encoding="utf-8")
    assert batch_inputs(listing) == [listing.parent / "rel" / "one.pdf", Path("/abs/two.pdf")]


@pytest.mark.parametrize("make", [lambda p: p / "missing", lambda p: p])
def test_nothing_to_do_is_bad_input(tmp_path, make):
    with pytest.raises(BadInputError):
        batch_inputs(make(tmp_path))


def job_for(path: Path, settings: Settings, **changes) -> DocumentJob:
    stored, sha256 = store_copy(path, settings.documents_dir)
    return DocumentJob(str(stored), str(path), sha256, settings, ocr=False, **changes)


def test_the_worker_step_computes_without_a_store_and_pickles(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    computed = compute_document(job_for(write_small_protocol(tmp_path / "p.pdf"), settings))
    assert computed.error == "" and computed.passed.teacher == "heuristic"
    assert computed.passed.labels and len(computed.passed.labels) == len(computed.passed.analysis.candidates)
    assert computed.document.page_count == len(computed.passed.analysis.pages)
    assert 0 < computed.cpu_seconds and computed.seconds > 0  # the benchmark's CPU share reads both
    assert computed.worker_pid and computed.peak_rss_mb > 0
    assert pickle.loads(pickle.dumps(computed)).passed.labels == computed.passed.labels
    assert not (tmp_path / "data" / "soe.db").exists()


def test_a_network_teacher_is_left_to_the_client(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"), teacher="gemini")
    computed = compute_document(job_for(write_many_pages(tmp_path / "p.pdf", 2), settings, teacher_here=False))
    assert computed.passed.teacher == "" and computed.passed.labels == []


def test_a_file_that_cannot_be_opened_is_refused_by_its_own_name(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    computed = compute_document(job_for(junk, Settings(data_dir=str(tmp_path / "data"))))
    assert computed.refused and computed.discard_copy
    assert computed.error.startswith("junk.pdf") and "\n" not in computed.error


def test_candidates_as_stored_match_the_store_in_values_and_order(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    computed = compute_document(job_for(write_small_protocol(tmp_path / "p.pdf"), settings))
    with Store(tmp_path / "soe.db") as store:
        store.add_document(computed.document, computed.job.stored_path, "p.pdf")
        store_teacher_pass(store, computed.passed)
        assert as_stored(computed.passed.analysis.candidates) == store.candidates(computed.document.sha256)


def test_the_summary_counts_and_lists_the_failures():
    result = IngestResult("s", 3, 1, status="done", repaired=True)
    summary = BatchSummary(total=4, seconds=30.0, workers=2, outcomes=[
        Outcome("a.pdf", DONE, result=result, ocr_pages=2, worker_pid=11, peak_rss_mb=200.0),
        Outcome("b.pdf", DONE, result=IngestResult("t", 2, 0), worker_pid=11, peak_rss_mb=250.0),
        Outcome("c.pdf", SKIPPED, "already finished"),
        Outcome("d.pdf", FAILED, "d.pdf: not a PDF file", worker_pid=12, peak_rss_mb=120.0),
    ])
    report = summary.to_json()
    assert (report["done"], report["skipped"], report["failed"], report["repaired"], report["ocr_pages"]) == \
        (2, 1, 1, 1, 2)
    assert report["statuses"] == {"done": 1, "needs review": 1}
    assert report["failures"] == [{"path": "d.pdf", "reason": "d.pdf: not a PDF file"}]
    assert report["documents_per_minute"] == 4.0 and sorted(report["peak_rss_mb_per_worker"]) == [120.0, 250.0]
    assert report["not_finished"] == 0 and not report["interrupted"]


def test_document_job_names_the_file_given():
    job = DocumentJob("/lib/abc.pdf", "/in/Protocol 7.pdf", "abc", Settings())
    assert job.name == "Protocol 7.pdf"
