"""process_into_store: what the GUI queue and `soe ingest` rely on."""

from __future__ import annotations

import pytest

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.jobs import CancelToken, Cancelled
from soe_desktop.core.pipeline import process_into_store
from soe_desktop.core.store import Store


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "soe.db")
    yield store
    store.close()


def test_document_is_copied_analysed_labelled_and_marked_for_review(store, sample_protocol, tmp_path):
    path, truth = sample_protocol
    stages = []
    result = process_into_store(path, store, progress=lambda p: stages.append(p.stage),
                                documents_dir=tmp_path / "docs")
    row = store.document(result.document.sha256)
    assert row["status"] == "needs review"
    assert (tmp_path / "docs" / f"{result.document.sha256}.pdf").exists()
    assert {"reading", "detecting", "labelling"} <= set(stages)
    assert len(store.candidates(result.document.sha256)) == len(result.candidates)
    assert len(store.effective_labels(result.document.sha256)) == len(result.candidates)
    assert [p.number for p in store.pages(result.document.sha256)] == list(range(1, truth.page_count + 1))


@pytest.mark.parametrize("ocr", [True, False])
def test_the_stored_pages_say_which_were_read_by_ocr(store, sample_protocol, tmp_path, ocr):
    from soe_desktop.core.pdf.ocr import ocr_available

    path, truth = sample_protocol
    result = process_into_store(path, store, documents_dir=tmp_path / "docs", ocr=ocr)
    read = [page.number for page in store.pages(result.document.sha256) if page.ocr]
    assert read == (truth.image_only_pages if ocr and ocr_available() else [])


def test_same_bytes_twice_is_one_document_and_nothing_is_relabelled(store, sample_protocol, tmp_path):
    path, _ = sample_protocol
    first = process_into_store(path, store, documents_dir=tmp_path)
    labels_before = len(store.labels(sha256=first.document.sha256))
    second = process_into_store(path, store, documents_dir=tmp_path)
    assert second.duplicate and not first.duplicate
    assert len(store.documents()) == 1
    assert len(store.labels(sha256=first.document.sha256)) == labels_before
    assert second.soe_pages() == first.soe_pages()


def test_bad_input_stores_nothing(store, tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello")
    with pytest.raises(BadInputError):
        process_into_store(junk, store, documents_dir=tmp_path / "docs")
    assert store.documents() == []


def test_cancel_marks_the_document_cancelled(store, sample_protocol, tmp_path):
    path, _ = sample_protocol
    token = CancelToken()

    def cancel_when_detecting(report):
        if report.stage == "detecting":
            token.cancel()

    with pytest.raises(Cancelled):
        process_into_store(path, store, progress=cancel_when_detecting, cancel=token, documents_dir=tmp_path)
    (row,) = store.documents()
    assert row["status"] == "cancelled"
    assert store.candidates(row["sha256"]) == []
