"""`analyse` with the streaming screen: same result as reading everything first, SoE boxes reported
while pages are still being read, cancel between pages."""

from __future__ import annotations

import dataclasses

import pytest

from soe_desktop.core.jobs import Cancelled, CancelToken, Partial, Progress
from soe_desktop.core.pdf import features as F
from soe_desktop.core.pdf.candidates import find_candidates
from soe_desktop.core.pdf.ingest import open_document
from soe_desktop.core.pdf.pages import read_pages
from soe_desktop.core.pdf.ocr import screen_with_ocr
from soe_desktop.core.pdf.streaming import read_with_early_detection
from soe_desktop.core.app.ingest import _StatusRecorder
from soe_desktop.core.pdf.analysis import analyse, attach_page_features
from soe_desktop.core.settings import SECOND_LOOK_PAGES


@pytest.fixture(scope="module")
def protocol(tmp_path_factory):
    """58 pages: a 4-page SoE grid (pages 7-10, the last one image-only) and a rotated 2-page grid
    at the end, with look-alike tables in between."""
    from soe_desktop.core.synthetic import write_protocol

    path = tmp_path_factory.mktemp("streaming") / "protocol.pdf"
    truth = write_protocol(path, seed=7, prose_pages=40)
    assert truth.rotated_soe_pages and any(len(group) > 2 for group in truth.group_pages)
    return path, truth


def batch_analysis(path, ocr: bool = True, second_look: int = SECOND_LOOK_PAGES):
    """The pipeline as it was before streaming: read every page (OCR of pictured ones), screen, then
    detect on the screened pages and the second-look pages."""
    document, pages = open_document(path), read_pages(path)
    singles = [F.single_page_features(page) for page in pages]
    page_features, scores = screen_with_ocr(path, pages, singles, ocr, sha256=document.sha256)
    table_pages, fallback_pages, looked = F.pages_to_examine(pages, scores, second_look)
    candidates = find_candidates(path, document, pages, table_pages, fallback_pages, alone=looked)
    attach_page_features(candidates, page_features, scores)
    return pages, candidates, scores


def _early(report: Progress) -> bool:
    """Boxes reported while the document is still being read."""
    return report.stage == "reading" and report.partial is not None


def test_streaming_gives_exactly_the_batch_result(protocol):
    path, truth = protocol
    reports: list[Progress] = []
    analysis = analyse(path, reports.append)
    pages, candidates, scores = batch_analysis(path)
    early_pages = [report.partial.page for report in reports if _early(report)]
    assert early_pages == [truth.soe_pages[0]]  # the first SoE page was detected while reading
    assert analysis.pages == pages
    assert analysis.page_scores == scores
    assert [dataclasses.asdict(c) for c in analysis.candidates] == [dataclasses.asdict(c) for c in candidates]


def test_every_clearly_soe_page_detected_while_reading_still_gives_the_batch_result(protocol):
    """No cap on early pages: the rotated grid at the end and most of the multi-page grid are
    detected while reading, and candidates, ids, groups, contexts and features stay the same."""
    path, truth = protocol
    document = open_document(path)
    stream = read_with_early_detection(path, document, max_early=len(truth.soe_pages))
    assert set(stream.early) & set(truth.rotated_soe_pages) and len(set(stream.early) & set(truth.group_pages[0])) >= 2
    page_features = F.page_features_from_singles(stream.singles)
    scores = F.page_scores(stream.pages, page_features)
    table_pages, fallback_pages = F.screen(stream.pages, scores)
    streamed = find_candidates(path, document, stream.pages, table_pages, fallback_pages, found_early=stream.early)
    attach_page_features(streamed, page_features, scores)
    pages, candidates, _ = batch_analysis(path, ocr=False, second_look=0)  # the stream alone: no OCR, no second look
    assert stream.pages == pages
    assert [dataclasses.asdict(c) for c in streamed] == [dataclasses.asdict(c) for c in candidates]
    groups = {c.group for c in streamed if c.page in truth.group_pages[0]}
    assert len(groups) == 1  # the multi-page grid is still one group


def test_early_boxes_are_reported_before_reading_ends_and_never_twice(protocol):
    path, truth = protocol
    reports: list[Progress] = []
    analysis = analyse(path, reports.append)
    first_early = next(i for i, report in enumerate(reports) if _early(report))
    last_reading = max(i for i, report in enumerate(reports) if report.stage == "reading")
    assert first_early < last_reading
    assert reports[first_early].partial.page in truth.soe_pages
    assert all(c.page == reports[first_early].partial.page for c in reports[first_early].partial.items)
    reported = [c.id for report in reports if report.partial is not None for c in report.partial.items]
    assert len(reported) == len(set(reported))  # no box reported twice
    assert set(reported) == {c.id for c in analysis.candidates}


def test_cancel_while_reading_stops_at_the_next_page(protocol):
    path, _ = protocol
    cancel, reading = CancelToken(), []

    def progress(report: Progress) -> None:
        if report.stage == "reading" and report.partial is None:
            reading.append(report.done)
            if report.done == 3:
                cancel.cancel()

    with pytest.raises(Cancelled):
        analyse(path, progress, cancel)
    assert reading == [1, 2, 3]


def test_cancel_after_the_first_early_box_stops_reading(protocol):
    path, truth = protocol
    cancel, reports = CancelToken(), []

    def progress(report: Progress) -> None:
        reports.append(report)
        if _early(report):
            cancel.cancel()

    with pytest.raises(Cancelled):
        analyse(path, progress, cancel)
    assert max(r.done for r in reports if r.stage == "reading") < truth.page_count
    assert sum(1 for r in reports if _early(r)) == 1
    assert not any(r.stage == "detecting" for r in reports)


class FakeStore:
    def __init__(self) -> None:
        self.statuses: list[str] = []

    def set_status(self, sha256: str, status: str) -> None:
        self.statuses.append(status)


def test_status_stays_reading_while_early_boxes_are_reported():
    store, forwarded = FakeStore(), []
    recorder = _StatusRecorder(store, "sha", forwarded.append)
    recorder(Progress("reading", 1, 9))
    recorder(Progress("reading", 1, 9, partial=Partial((), page=1)))
    recorder(Progress("reading", 2, 9))
    recorder(Progress("detecting", 1, 3))
    assert store.statuses == ["reading", "detecting"]
    assert len(forwarded) == 4  # every report still reaches the caller


def test_max_early_zero_turns_the_streaming_off(protocol):
    path, _ = protocol
    reports: list[Progress] = []
    stream = read_with_early_detection(path, open_document(path), reports.append, max_early=0)
    assert stream.early == {}
    assert {report.stage for report in reports} == {"reading"}


def test_every_candidate_carries_its_pages_screen_logit(protocol):
    from soe_desktop.core.pdf.page_model import logit

    path, _ = protocol
    analysis = analyse(path)
    assert analysis.candidates
    for candidate in analysis.candidates:
        assert candidate.features[F.SCREEN_LOGIT] == pytest.approx(logit(analysis.page_scores[candidate.page - 1]))
