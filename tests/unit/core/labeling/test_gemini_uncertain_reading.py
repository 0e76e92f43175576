"""The Gemini teacher's labels on pages read uncertainly (OCR, sideways, stamped, redacted) are capped
like the offline labelers', after a continued table's consensus, on every path that takes its labels
(`label`, `run` for the cloud gate, the routing of a student's doubtful tables). Gemini is a fake server."""

from __future__ import annotations

import pytest

from soe_desktop.core.app import routing
from soe_desktop.core.labeling.gemini import GeminiLabeler
from soe_desktop.core.labeling.keys import ApiKey
from soe_desktop.core.labeling.uncertain_reading import READING_UNCERTAIN, UNCERTAIN_READING_CAP, UNTEMPERED_P_SOE
from soe_desktop.core.model import Document, Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store

from gemini_fakes import make_candidate

SURE = 0.98


def _sure(text: str, _kind: str) -> tuple[bool, float]:
    return "Screening" in text, SURE


def _misread(candidate):
    candidate.features[READING_UNCERTAIN] = 1.0  # as core/pdf marks a page it could not read plainly
    return candidate


def _labeler(fake) -> GeminiLabeler:
    return GeminiLabeler(fake.client(attempts=1), key=ApiKey("test-key-123", "env"))


@pytest.mark.parametrize("path", ["label", "run"])
def test_a_sure_answer_on_a_misread_page_keeps_its_verdict_under_the_cap(fake_gemini, path):
    fake_gemini.decide = _sure
    plain, misread, misread_no = make_candidate("plain", True), _misread(make_candidate("mis", True, page=2)), \
        _misread(make_candidate("mis-no", False, page=3))
    teacher = _labeler(fake_gemini)
    candidates = [plain, misread, misread_no]
    labels = teacher.label(candidates) if path == "label" else teacher.run(candidates).labels
    by_id = {label.candidate_id: label for label in labels}
    assert by_id["plain"].confidence == pytest.approx(SURE) and not by_id["plain"].details.get(READING_UNCERTAIN)
    for cid, is_soe in (("mis", True), ("mis-no", False)):
        label = by_id[cid]
        assert label.is_soe is is_soe and label.confidence <= UNCERTAIN_READING_CAP + 1e-9
        assert label.details[READING_UNCERTAIN] is True
        assert label.details[UNTEMPERED_P_SOE] == pytest.approx(SURE if is_soe else 1 - SURE)
        assert "uncertain reading: left for review (confidence lowered from 0.98)" in label.reason
        assert label.details["raw_p_soe"] == pytest.approx(SURE if is_soe else 1 - SURE)  # what calibration fits on


def test_a_misread_page_of_a_continued_table_stays_capped_after_the_tables_verdict(fake_gemini):
    fake_gemini.decide = _sure
    first = make_candidate("p1", True, page=1)
    second = _misread(make_candidate("p2", True, page=2))
    first.group = second.group = "table-1"  # one table over pages 1-2
    labels = _labeler(fake_gemini).label([first, second])
    assert labels[0].confidence == pytest.approx(SURE) and "one table over pages 1-2" in labels[0].reason
    assert labels[1].is_soe and labels[1].confidence <= UNCERTAIN_READING_CAP + 1e-9
    assert "one table over pages 1-2" in labels[1].reason and "left for review" in labels[1].reason


SHA = "cd" * 32


@pytest.fixture
def routed_store(tmp_path):
    """Four candidates; the student doubts c1 (page read uncertainly) and c2 (read plainly)."""
    store = Store(tmp_path / "soe.db")
    store.add_document(Document("/x.pdf", SHA, 4), "", "x.pdf")
    candidates = [make_candidate(f"c{i}", soe=i % 2 == 1, sha=SHA, page=i + 1) for i in range(4)]
    _misread(candidates[1])
    store.replace_candidates(SHA, candidates)
    yield store
    store.close()


def test_a_doubtful_misread_table_routed_to_gemini_comes_back_capped(tmp_path, routed_store, fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    fake.decide = _sure
    settings = Settings(data_dir=str(tmp_path / "data"), auto_accept_threshold=0.0, uncertain_threshold=0.75)
    candidates = routed_store.candidates(SHA)
    student = [Label(c.id, "Screening" in c.table_text(), 0.6 if c.id in ("c1", "c2") else 0.95, "student:v1")
               for c in candidates]
    routed = routing.route(settings, routed_store, SHA, candidates, student, allow_cloud=True)
    by_id = {label.candidate_id: label for label in routed.cloud_labels}
    assert sorted(by_id) == ["c1", "c2"]
    assert by_id["c1"].is_soe and by_id["c1"].confidence <= UNCERTAIN_READING_CAP + 1e-9
    assert by_id["c2"].is_soe is False and by_id["c2"].confidence == pytest.approx(SURE)
    assert by_id["c1"].details[routing.ROUTED] == "cloud"
