"""import_labels: page labels from a corpus folder, a CSV or JSON Lines become human labels."""

from __future__ import annotations

import json

import pytest

from soe_desktop.core.app.import_labels import IMPORT_ACTION, import_labels, undo_import
from soe_desktop.core.errors import BadInputError
from soe_desktop.core.model import Candidate, Detector, Document, Label, LabelKind, PageText
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store

SHA = "ab" * 32
OTHER = "cd" * 32
ACTOR = "human:ann"


def _page(number: int, text: str) -> PageText:
    return PageText(number, 612.0, 792.0, 0, text, True)


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=str(tmp_path / "data"), auto_accept_threshold=0.0, read_scanned_pages=False,
                    second_look_pages=0)


@pytest.fixture
def store(tmp_path):
    """protocol.pdf (6 pages): an SoE grid on page 2 the teacher calls SoE, a footnote box on page 2
    it calls not SoE, a look-alike on page 4 it wrongly calls SoE; page 3 is an SoE nobody found."""
    store = Store(tmp_path / "soe.db")
    store.add_document(Document("/in/protocol.pdf", SHA, 6), "", "protocol.pdf")
    store.set_status(SHA, "needs review")
    store.add_pages(SHA, [_page(n, f"Page {n}\nVisit  Screening  Day 1\nECG  X  X") for n in range(1, 7)])
    store.replace_candidates(SHA, [
        Candidate("grid", SHA, 2, (10, 10, 500, 400), Detector.PDFPLUMBER, [["Visit", "Screening"], ["ECG", "X"]]),
        Candidate("notes", SHA, 2, (10, 420, 500, 700), Detector.FALLBACK_TEXT, [["a: fasting"]]),
        Candidate("lookalike", SHA, 4, (10, 10, 500, 400), Detector.PDFPLUMBER, [["Dose", "mg"]]),
    ])
    store.add_labels([Label("grid", True, 0.9, "heuristic"), Label("notes", False, 0.7, "heuristic"),
                      Label("lookalike", True, 0.6, "heuristic")])
    store.add_document(Document("/in/other.pdf", OTHER, 2), "", "other.pdf")
    yield store
    store.close()


def _csv(tmp_path, rows: list[str], name: str = "labels.csv"):
    path = tmp_path / name
    path.write_text("\n".join(["file,page,is_soe", *rows]) + "\n", encoding="utf-8")
    return path


def _human(store, candidate_id: str) -> Label | None:
    label = store.effective_labels(SHA).get(candidate_id)
    return label if label is not None and label.kind is LabelKind.HUMAN else None


def test_csv_rows_become_imported_human_labels(store, settings, tmp_path):
    path = _csv(tmp_path, ["protocol.pdf,2,true", "protocol.pdf,4,no", "protocol.pdf,5,"])
    result = import_labels(path, settings, store, actor=ACTOR)
    assert (result.documents, result.pages, result.labels_written, result.not_scored) == (1, 2, 2, 1)
    grid, lookalike = _human(store, "grid"), _human(store, "lookalike")
    assert grid.is_soe and not lookalike.is_soe
    assert grid.source == ACTOR and grid.reason == "imported from labels.csv"
    assert grid.details["imported"] == str(path) and grid.details["import_run"] == result.run_id
    assert _human(store, "notes") is None and result.undecided == 1  # the footnote box is left to the reviewer
    (entry,) = store.audit_entries(action=IMPORT_ACTION)
    assert entry["subject"] == result.run_id and sorted(entry["details"]["label_ids"]) == sorted(
        result.labels_by_document[SHA])
    assert len(store.audit_entries(action="label.add", document=SHA)) == 3 + 2  # teacher's + the import's


def test_jsonl_with_sha256_and_booleans(store, settings, tmp_path):
    path = tmp_path / "labels.jsonl"
    lines = [{"sha256": SHA, "page": 4, "is_soe": False}, {"sha256": SHA, "page": 2, "is_soe": None}, {}]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n", encoding="utf-8")
    result = import_labels(path, settings, store, actor=ACTOR)
    assert result.labels_written == 1 and not _human(store, "lookalike").is_soe
    assert result.not_scored == 1 and _human(store, "grid") is None
    assert len(result.problems) == 2 and all("row skipped" in line for line in result.problems)


def test_an_soe_page_without_candidates_gets_a_whole_page_manual_one(store, settings, tmp_path):
    result = import_labels(_csv(tmp_path, ["protocol.pdf,3,yes"]), settings, store, actor=ACTOR)
    assert result.manual_candidates == 1
    (manual,) = [c for c in store.candidates(SHA) if c.page == 3]
    assert manual.detector == Detector.MANUAL and manual.bbox == (0.0, 0.0, 612.0, 792.0)
    assert ["Visit", "Screening", "Day 1"] in manual.rows and manual.features["whole_page"] == 1.0
    assert store.effective_labels(SHA)[manual.id].is_soe
    assert store.audit_entries(action="candidate.add", candidate=manual.id)
    # A re-analysis of the document keeps it: no finder found it, and none may drop it.
    store.replace_candidates(SHA, [c for c in store.candidates(SHA) if c.detector != Detector.MANUAL])
    assert manual.id in {c.id for c in store.candidates(SHA)}
    assert 3 in store.soe_pages(SHA)


def test_reimporting_the_same_file_duplicates_nothing(store, settings, tmp_path):
    path = _csv(tmp_path, ["protocol.pdf,2,true", "protocol.pdf,3,true", "protocol.pdf,4,false"])
    first = import_labels(path, settings, store, actor=ACTOR)
    labels, candidates = len(store.labels(sha256=SHA)), len(store.candidates(SHA))
    second = import_labels(path, settings, store, actor=ACTOR)
    assert first.labels_written == 3 and first.manual_candidates == 1
    assert (second.labels_written, second.manual_candidates, second.skipped) == (0, 0, 3)
    assert len(store.labels(sha256=SHA)) == labels and len(store.candidates(SHA)) == candidates


def test_a_changed_verdict_is_written_again(store, settings, tmp_path):
    import_labels(_csv(tmp_path, ["protocol.pdf,4,true"]), settings, store, actor=ACTOR)
    result = import_labels(_csv(tmp_path, ["protocol.pdf,4,false"], "fixed.csv"), settings, store, actor=ACTOR)
    assert result.labels_written == 1 and not _human(store, "lookalike").is_soe


def test_unknown_documents_are_reported_and_the_rest_is_imported(store, settings, tmp_path):
    path = _csv(tmp_path, ["missing.pdf,1,true", "missing.pdf,2,false", "protocol.pdf,4,false",
                           "protocol.pdf,99,false", "protocol.pdf,x,true", "protocol.pdf,2,maybe"])
    result = import_labels(path, settings, store, actor=ACTOR)
    assert result.unknown == ["labels.csv:2: missing.pdf is not in the library (ingest it first); 2 pages skipped"]
    assert result.labels_written == 1
    assert any("beyond the document's 6 pages" in line for line in result.problems)
    assert any("labels.csv:6" in line and "page 'x'" in line for line in result.problems)
    assert any("labels.csv:7" in line and "maybe" in line for line in result.problems)


def test_conflicting_rows_for_one_page_are_skipped(store, settings, tmp_path):
    result = import_labels(_csv(tmp_path, ["protocol.pdf,4,true", "protocol.pdf,4,false"]), settings, store)
    assert result.labels_written == 0 and any("two different verdicts" in line for line in result.problems)


def test_undo_retracts_the_run_and_hides_its_manual_candidates(store, settings, tmp_path):
    before = {cid: label.source for cid, label in store.effective_labels(SHA).items()}
    result = import_labels(_csv(tmp_path, ["protocol.pdf,3,true", "protocol.pdf,4,false"]), settings, store,
                           actor=ACTOR)
    undone = undo_import(store, actor=ACTOR)
    assert (undone.run_id, undone.retracted, undone.hidden) == (result.run_id, 2, 1)
    assert {cid: label.source for cid, label in store.effective_labels(SHA).items()
            if store.candidate(cid) in store.candidates(SHA)} == before
    assert not [c for c in store.candidates(SHA) if c.page == 3]
    with pytest.raises(BadInputError):
        undo_import(store)  # nothing left to undo
    again = import_labels(_csv(tmp_path, ["protocol.pdf,3,true"]), settings, store, actor=ACTOR)
    assert again.labels_written == 1 and [c for c in store.candidates(SHA) if c.page == 3]


def test_a_fully_labelled_document_is_done(store, settings, tmp_path):
    import_labels(_csv(tmp_path, ["protocol.pdf,2,false", "protocol.pdf,4,false"]), settings, store)
    assert store.document(SHA)["status"] == "done"


def test_unreadable_paths_are_one_line_errors(store, settings, tmp_path):
    for path, message in ((tmp_path / "nope.csv", "no such file"), (tmp_path / "labels.txt", "expected a corpus")):
        if message != "no such file":
            path.write_text("x")
        with pytest.raises(BadInputError, match=message):
            import_labels(path, settings, store)


def test_corpus_folder_ingests_missing_documents_and_labels_every_page(tmp_path, settings):
    from soe_desktop.core.synthetic.files import write_corpus_dir

    (pdf,) = write_corpus_dir(tmp_path / "corpus", n_documents=1, seed=3)
    truth = json.loads((pdf.parent / "labels.json").read_text())
    with Store(tmp_path / "fresh.db") as store:
        result = import_labels(tmp_path / "corpus", settings, store, actor=ACTOR)
        (document,) = store.documents()
        sha = document["sha256"]
        assert result.kind == "corpus" and result.ingested == 1 and result.documents == 1
        assert result.not_scored == len(truth["soa_notes_only_pages"])
        assert result.pages == truth["page_count"] - len(truth["soa_notes_only_pages"])
        human = {cid: label for cid, label in store.effective_labels(sha).items() if label.kind is LabelKind.HUMAN}
        pages = {c.id: c.page for c in store.candidates(sha)}
        assert {pages[cid] for cid, label in human.items() if label.is_soe} == set(truth["soa_table_pages"])
        assert all(pages[cid] not in truth["soa_table_pages"] for cid, label in human.items() if not label.is_soe)
        again = import_labels(pdf.parent, settings, store, actor=ACTOR)  # one labelled folder works too
        assert again.ingested == 0 and again.labels_written == 0 and again.skipped == result.labels_written
