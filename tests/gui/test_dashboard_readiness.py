"""'Ready to replace Gemini?': student vs Gemini agreement, each one's F1 against human labels, cost saved."""

from __future__ import annotations

from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.gui.dashboard_stats import MIN_JUDGED, readiness
from soe_desktop.gui.views.dashboard import DashboardPanel

OLD, NEW = "0a" * 32, "0b" * 32


def _store(tmp_path, n: int = 4) -> Store:
    """NEW: n pages, one candidate each; the truth: even pages are SoE. Gemini is right everywhere;
    the student misses page 2 (calls it not SoE); page 4's Gemini label was undone. OLD (older,
    left out of a 1-document window) has a wrong student everywhere."""
    store = Store(tmp_path / "db.sqlite")
    for sha in (OLD, NEW):
        store.add_document(Document(f"/{sha[:2]}.pdf", sha, n), "", f"{sha[:2]}.pdf")
        candidates = [Candidate(f"{sha[:2]}-{p}", sha, p, (0, 0, 10, 10), "pdfplumber") for p in range(1, n + 1)]
        store.replace_candidates(sha, candidates)
        truth = {c.id: c.page % 2 == 0 for c in candidates}
        student = {cid: (not soe if sha == OLD else soe and not cid.endswith("-2")) for cid, soe in truth.items()}
        store.add_labels([Label(cid, soe, 0.9, "heuristic") for cid, soe in truth.items()])
        store.add_labels([Label(cid, soe, 0.9, "student:v1") for cid, soe in student.items()])
        gemini = store.add_labels([Label(cid, soe, 0.9, "gemini") for cid, soe in truth.items()])
        store.add_labels([Label(cid, soe, 1.0, "human:ann") for cid, soe in truth.items()])
    store.retract(gemini[3], "ann")  # NEW page 4: no Gemini label any more
    store.add_ledger(document_sha256=NEW, model="gemini", representation="json", input_tokens=1000,
                     output_tokens=100, cost_usd=0.002, requests=1)
    store.add_ledger(document_sha256=NEW, model="gemini", representation="json", cached=True)
    store.add_ledger(document_sha256=NEW, model="gemini", representation="routing", requests=0,
                     routed_candidates=n, routed_cloud=1, routed_review=0, sent_requests=1, saved_requests=5)
    return store


def test_scores_agreement_and_savings_on_the_recent_documents(tmp_path):
    with _store(tmp_path) as store:
        ready = readiness(store, recent=1)
    assert ready.documents == 1 and ready.both == 3  # page 4 lost its Gemini label
    assert ready.agree == 2 and ready.agreement == 2 / 3  # they differ on page 2
    assert (ready.student_pages.tp, ready.student_pages.fn, ready.student_pages.tn) == (0, 1, 2)
    assert ready.gemini_pages.f1 == 1.0 and ready.student_pages.f1 == 0.0
    assert ready.student_candidates.n == 3 and ready.gemini_candidates.f1 == 1.0
    assert (ready.routed, ready.sent_to_cloud, ready.sent_requests, ready.saved_requests) == (4, 1, 1, 5)
    assert ready.cost_per_request == 0.002 and abs(ready.saved_usd - 0.01) < 1e-12
    assert ready.verdict.startswith("Not enough to tell")


def test_the_verdict_follows_page_f1_once_enough_is_reviewed(tmp_path):
    with _store(tmp_path, n=2 * MIN_JUDGED) as store:
        assert readiness(store, recent=1).verdict.startswith("Not yet")
        store.add_labels([Label(f"{NEW[:2]}-2", True, 0.9, "student:v1")])  # the student fixes its miss
        gemini_wrong = [Label(f"{NEW[:2]}-{p}", False, 0.9, "gemini") for p in (6, 8)]
        store.add_labels(gemini_wrong)
        assert readiness(store, recent=1).verdict.startswith("Yes")
        both = readiness(store, recent=2)  # the old document's wrong student counts again
        assert both.documents == 2 and both.verdict.startswith("Not yet")


def test_an_empty_library_has_nothing_to_say(tmp_path):
    with Store(tmp_path / "empty.db") as store:
        ready = readiness(store)
    assert (ready.documents, ready.both, ready.agreement, ready.saved_usd) == (0, 0, None, None)


def test_the_dashboard_shows_the_view(qtbot, tmp_path):
    with _store(tmp_path) as store:
        panel = DashboardPanel(store)
        qtbot.addWidget(panel)
        panel.refresh()
        box = panel.readiness
        assert box.title() == "Ready to replace Gemini?"
        assert box.table.item(0, 0).text() == "Local student" and box.table.item(1, 1).text() == "1.00"
        assert "saved <b>5</b> requests" in box.details.text() and "Not enough" in box.verdict.text()
