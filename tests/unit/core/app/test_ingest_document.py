"""ingest_document: the one workflow behind a drop on the window and `soe ingest`."""

from __future__ import annotations

import pytest

from soe_desktop.core.errors import BadInputError
from soe_desktop.core.jobs import CancelToken, Cancelled
from soe_desktop.core.app.ingest import ingest_document
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=str(tmp_path), auto_accept_threshold=0.0)  # no rule labels unless a test asks


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "soe.db")
    yield store
    store.close()


def test_document_is_copied_analysed_labelled_and_marked_for_review(store, settings, sample_protocol):
    path, truth = sample_protocol
    stages = []
    result = ingest_document(path, settings, store, progress=lambda p: stages.append(p.stage))
    row = store.document(result.sha256)
    assert row["status"] == "needs review"
    assert (settings.documents_dir / f"{result.sha256}.pdf").exists()
    assert {"reading", "detecting", "labelling"} <= set(stages)
    assert len(store.candidates(result.sha256)) == result.candidates
    assert len(store.effective_labels(result.sha256)) == result.candidates
    assert [p.number for p in store.pages(result.sha256)] == list(range(1, truth.page_count + 1))
    assert result.labelers == ["heuristic"] and truth.scored(result.soe_pages) == truth.soe_pages


def test_the_file_is_fingerprinted_once(store, settings, sample_protocol, monkeypatch):
    from soe_desktop.core.pdf import ingest as pdf_ingest

    calls = []
    real = pdf_ingest.sha256_of
    monkeypatch.setattr(pdf_ingest, "sha256_of", lambda path: calls.append(path) or real(path))
    ingest_document(sample_protocol[0], settings, store)
    assert calls == []  # hashed while it was copied into the library, never read again for it


def test_confident_labels_are_accepted_by_rule(store, settings, sample_protocol):
    from dataclasses import replace

    from soe_desktop.core.app.review import auto_accept_refusal

    result = ingest_document(sample_protocol[0], replace(settings, auto_accept_threshold=0.5), store)
    left = [c for c in store.candidates(result.sha256) if auto_accept_refusal(c)]  # pictured/OCR'd: for a person
    assert left and result.auto_accepted == result.candidates - len(left)
    assert result.status == "needs review"


@pytest.mark.parametrize("ocr", [True, False])
def test_the_stored_pages_say_which_were_read_by_ocr(store, settings, sample_protocol, ocr):
    from soe_desktop.core.pdf.ocr import ocr_available

    path, truth = sample_protocol
    result = ingest_document(path, settings, store, ocr=ocr)
    read = [page.number for page in store.pages(result.sha256) if page.ocr]
    assert read == (truth.image_only_pages if ocr and ocr_available() else [])


def test_same_bytes_twice_is_one_document_and_nothing_is_relabelled(store, settings, sample_protocol):
    path, _ = sample_protocol
    first = ingest_document(path, settings, store)
    labels_before = len(store.labels(sha256=first.sha256))
    second = ingest_document(path, settings, store)
    assert second.duplicate and not first.duplicate
    assert len(store.documents()) == 1
    assert len(store.labels(sha256=first.sha256)) == labels_before
    assert second.soe_pages == first.soe_pages


def test_bad_input_stores_nothing(store, settings, tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello")
    with pytest.raises(BadInputError):
        ingest_document(junk, settings, store)
    assert store.documents() == []
    assert list(settings.documents_dir.iterdir()) == []  # no copy of the bad file is kept


def test_cancel_marks_the_document_cancelled(store, settings, sample_protocol):
    path, _ = sample_protocol
    token = CancelToken()

    def cancel_when_detecting(report):
        if report.stage == "detecting":
            token.cancel()

    with pytest.raises(Cancelled):
        ingest_document(path, settings, store, progress=cancel_when_detecting, cancel=token)
    (row,) = store.documents()
    assert row["status"] == "cancelled"
    assert store.candidates(row["sha256"]) == []
