"""The second look: besides the screened pages, the pipeline examines the few text pages the screen
came closest to opening, so the store holds look-alike negatives for the student."""

from __future__ import annotations

import pytest

from soe_desktop.core.model import LabelKind
from soe_desktop.core.pdf import features as F
from soe_desktop.core.app.ingest import ingest_document
from soe_desktop.core.app.triage import triage
from soe_desktop.core.pdf.analysis import AnalysisOptions, analyse
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store


@pytest.fixture(scope="module")
def protocol(tmp_path_factory):
    from soe_desktop.core.synthetic import write_protocol

    path = tmp_path_factory.mktemp("second_look") / "protocol.pdf"
    truth = write_protocol(path, seed=3, prose_pages=20)
    return path, truth


@pytest.fixture(scope="module")
def screened_only(protocol):
    return analyse(protocol[0], options=AnalysisOptions(second_look=0))


def candidate_pages(analysis) -> set[int]:
    return {candidate.page for candidate in analysis.candidates}


def test_the_second_look_adds_candidates_on_exactly_the_best_scored_closed_pages(protocol, screened_only):
    looked = analyse(protocol[0], options=AnalysisOptions(second_look=3))
    table_pages, fallback_pages = F.screen(looked.pages, looked.page_scores)
    expected = F.second_look(looked.pages, looked.page_scores, set(table_pages) | set(fallback_pages), 3)
    assert len(expected) == 3
    assert candidate_pages(looked) - candidate_pages(screened_only) == set(expected)
    assert not set(expected) & set(protocol[1].soe_pages)  # the screen opened every SoE page itself
    kept = {c.id for c in screened_only.candidates}
    assert kept <= {c.id for c in looked.candidates}  # the screened pages' candidates are unchanged


def test_second_look_candidates_carry_their_page_cues_and_the_teacher_calls_them_no_soe(protocol, screened_only):
    looked = triage(protocol[0], options=AnalysisOptions(second_look=3))
    extra = [c for c in looked.candidates if c.page not in candidate_pages(screened_only)]
    assert extra and all(F.SCREEN_LOGIT in c.features for c in extra)
    assert looked.soe_pages() == triage(protocol[0], options=AnalysisOptions(second_look=0)).soe_pages()
    labels = {label.candidate_id: label for label in looked.labels}
    assert all(not labels[c.id].is_soe for c in extra)


def test_ingest_stores_the_second_look_candidates(protocol, screened_only, tmp_path):
    store = Store(tmp_path / "soe.db")
    settings = Settings(data_dir=str(tmp_path), second_look_pages=2)
    result = ingest_document(protocol[0], settings, store)
    stored = store.candidates(result.sha256)
    assert len({c.page for c in stored} - candidate_pages(screened_only)) == 2
    teacher_labels = [label for label in store.labels(sha256=result.sha256) if label.kind is LabelKind.TEACHER]
    assert len(teacher_labels) == len(stored)
    store.close()
