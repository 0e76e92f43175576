"""Boxes found while a document is still being read: forwarded at once, the row stays 'reading',
and the finished document's boxes replace them without duplicates."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from gui_test_helpers import drop_files, wait_for_queue
from soe_desktop.core.jobs import Partial, Progress
from soe_desktop.gui.workers import Worker
from soe_desktop.core.model import Candidate


class Reporter(QObject):
    """Stands in for a worker's signals object (the queue reads the entry key from the sender)."""

    progress = Signal(object)
    partial = Signal(object)


class Recorder(QObject):
    """Every candidates_found emission, with the queue row's status at that moment."""

    def __init__(self, queue) -> None:
        super().__init__()
        self.queue, self.seen = queue, []

    @Slot(int, list)
    def record(self, key: int, candidates: list) -> None:
        self.seen.append((self.queue.model.entry(key).status, [c.id for c in candidates]))


def test_early_boxes_are_forwarded_and_the_row_keeps_reading(qtbot, isolated_app_dirs, tmp_path):
    from soe_desktop.core.settings import Settings
    from soe_desktop.gui.ingest_queue import IngestQueue

    queue = IngestQueue(Settings())
    entry = queue.model.add(str(tmp_path / "protocol.pdf"))
    reporter = Reporter()
    reporter.setProperty("entry_key", entry.key)
    reporter.progress.connect(queue._on_progress)
    reporter.partial.connect(queue._on_partial)
    recorder = Recorder(queue)
    queue.candidates_found.connect(recorder.record)
    early = (Candidate("abc-p0007-t0", "abc", 7, (10, 20, 300, 400), "pdfplumber"),)

    reporter.progress.emit(Progress("reading", 8, 40))
    fraction = queue.model.entry(entry.key).fraction
    reporter.progress.emit(Progress("reading", 8, 40, partial=Partial(early, page=7)))  # as the Worker sends it
    reporter.partial.emit(Partial(early, page=7))
    assert queue.model.entry(entry.key).status == "reading"
    assert queue.model.entry(entry.key).fraction == fraction  # the bar does not jump to 'detecting'
    assert recorder.seen == [("reading", ["abc-p0007-t0"])]

    reporter.progress.emit(Progress("detecting", 1, 3))
    reporter.partial.emit(Partial((), page=2))
    assert queue.model.entry(entry.key).status == "detecting"
    assert len(recorder.seen) == 1  # a page without boxes is not forwarded
    queue.shutdown()


def test_the_worker_routes_a_reports_partial_result_to_the_queue(qtbot, isolated_app_dirs, tmp_path):
    """The core's report reaches `_on_partial` through the Worker, the one place that splits it off."""
    from soe_desktop.core.settings import Settings
    from soe_desktop.gui.ingest_queue import IngestQueue

    queue = IngestQueue(Settings())
    entry = queue.model.add(str(tmp_path / "protocol.pdf"))
    recorder = Recorder(queue)
    queue.candidates_found.connect(recorder.record)
    box = Candidate("abc-p0003-t0", "abc", 3, (10, 20, 300, 400), "pdfplumber")

    def task(progress, _cancel):
        progress(Progress("reading", 2, 5))
        progress(Progress("reading", 2, 5, partial=Partial((box,), page=3)))

    worker = Worker(task)
    worker.signals.setProperty("entry_key", entry.key)
    worker.signals.progress.connect(queue._on_progress)
    worker.signals.partial.connect(queue._on_partial)
    with qtbot.waitSignal(worker.signals.ended, timeout=10_000):
        queue.pool.start(worker)
    qtbot.waitUntil(lambda: bool(recorder.seen), timeout=5_000)
    assert recorder.seen == [("reading", ["abc-p0003-t0"])]
    queue.shutdown()


def test_a_drop_draws_a_box_while_reading_and_ends_with_each_box_once(make_window, tmp_path, qtbot):
    from soe_desktop.core.synthetic import write_protocol

    path = tmp_path / "protocol.pdf"
    truth = write_protocol(path, seed=7, prose_pages=20)
    window = make_window()
    recorder = Recorder(window.queue)
    window.queue.candidates_found.connect(recorder.record)
    assert drop_files(window, [path])
    wait_for_queue(qtbot, window)

    (entry,) = window.queue.model.entries
    assert entry.status in ("needs review", "done"), entry.message
    status, first_ids = recorder.seen[0]
    assert status == "reading" and first_ids  # drawn before the document was read to the end
    assert int(first_ids[0].split("-p")[1][:4]) in truth.soe_pages
    forwarded = [candidate_id for _, ids in recorder.seen for candidate_id in ids]
    assert len(forwarded) == len(set(forwarded))  # the full pass does not report early pages again
    final = {candidate.id for candidate in window.session.candidates}
    assert set(forwarded) == final
    assert set(window.page_view.overlay_items()) == final  # early boxes replaced one for one
