"""The auto-accept rule: confident machine labels are accepted by rule, except on pages whose
reading was uncertain (OCR'd, sideways, stamped, redacted), which stay for a person."""

from __future__ import annotations

from soe_desktop.core.app.review import AUTO_ACCEPT_SOURCE, apply_auto_accept, auto_accept_refusal, auto_accepts
from soe_desktop.core.labeling.uncertain_reading import READING_UNCERTAIN
from soe_desktop.core.model import Candidate, Document, Label, LabelKind
from soe_desktop.core.store import Store

SHA = "d" * 64


def _candidates() -> list[Candidate]:
    return [Candidate("plain", SHA, 1, (0, 0, 1, 1), "pdfplumber"),
            Candidate("ocr", SHA, 2, (0, 0, 1, 1), "fallback-page", features={READING_UNCERTAIN: 1.0, "ocr": 1.0}),
            Candidate("sideways", SHA, 3, (0, 0, 1, 1), "pdfplumber", features={READING_UNCERTAIN: 1.0}),
            Candidate("unsure", SHA, 4, (0, 0, 1, 1), "pdfplumber", features={READING_UNCERTAIN: 0.0})]


def _store(tmp_path, confidence: float = 0.99) -> Store:
    store = Store(tmp_path / "soe.db")
    store.add_document(Document("/tmp/doc.pdf", SHA, 4), "/tmp/doc.pdf", "doc.pdf")
    store.replace_candidates(SHA, _candidates())
    store.add_labels([Label(c.id, c.id != "unsure", confidence, "heuristic") for c in _candidates()])
    store.set_status(SHA, "needs review")
    return store


def test_the_rule_never_closes_a_page_read_uncertainly(tmp_path):
    """Even a 0.99 label on an OCR'd or sideways page is left for a person (as if a labeler had not
    lowered it: the rule does not rely on the labelers' calibration)."""
    store = _store(tmp_path)
    assert apply_auto_accept(store, SHA, 0.97) == 2
    effective = store.effective_labels(SHA)
    assert {cid for cid, label in effective.items() if label.kind is LabelKind.RULE} == {"plain", "unsure"}
    assert effective["ocr"].source == effective["sideways"].source == "heuristic"
    assert store.document(SHA)["status"] == "needs review"
    assert all(label.source != AUTO_ACCEPT_SOURCE for label in store.labels("ocr"))
    store.close()


def test_the_refusal_says_why():
    plain, ocr, sideways, _ = _candidates()
    assert auto_accept_refusal(plain) == "" and auto_accept_refusal(None) == ""
    assert auto_accept_refusal(ocr) == "read by OCR: left for review"
    assert auto_accept_refusal(sideways).endswith(": left for review")


def test_the_rule_still_needs_the_threshold_and_skips_reviewed_labels():
    plain = _candidates()[0]
    assert auto_accepts(Label("plain", True, 0.97, "heuristic"), plain, 0.97)
    assert not auto_accepts(Label("plain", True, 0.96, "heuristic"), plain, 0.97)
    assert not auto_accepts(Label("plain", True, 1.0, "human:ana"), plain, 0.97)
    assert not auto_accepts(Label("plain", True, 1.0, "heuristic"), plain, 0.0)  # rule off
