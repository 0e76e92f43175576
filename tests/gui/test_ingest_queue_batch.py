"""A dropped folder goes to the batch runner (Dask workers): rows update as results arrive, the
library gets every document, and Cancel stops the batch's unfinished documents."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from soe_desktop.core.settings import Settings  # noqa: E402
from soe_desktop.core.store import Store  # noqa: E402
from soe_desktop.core.synthetic.damaged import write_many_pages, write_small_protocol  # noqa: E402
from soe_desktop.gui.ingest_queue import BATCH_AT, IngestQueue  # noqa: E402

pytestmark = pytest.mark.slow  # a local Dask cluster starts for each batch


def test_a_dropped_folder_is_run_as_a_batch_and_each_row_updates(qtbot, isolated_app_dirs, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    for count in range(1, BATCH_AT + 1):
        write_many_pages(folder / f"doc{count}.pdf", count=count)
    (folder / "junk.pdf").write_bytes(b"not a pdf")
    settings = Settings()
    queue = IngestQueue(settings)
    ready = []
    queue.document_ready.connect(ready.append)
    with qtbot.waitSignal(queue.idle, timeout=240_000):
        keys = queue.add_paths([str(folder)])
    rows = {queue.model.entry(key).name: queue.model.entry(key) for key in keys}
    assert rows["junk.pdf"].status == "error" and "not a PDF" in rows["junk.pdf"].message
    assert {rows[f"doc{n}.pdf"].status for n in range(1, BATCH_AT + 1)} <= {"needs review", "done"}
    with Store(settings.db_path) as store:
        assert len(store.documents()) == BATCH_AT == len(set(ready))
    queue.shutdown()


def test_cancel_on_a_row_stops_the_batch_and_keeps_what_finished(qtbot, isolated_app_dirs, tmp_path):
    folder = tmp_path / "archive"
    for seed in range(BATCH_AT + 2):
        write_small_protocol(folder / f"p{seed}.pdf", seed=50 + seed)
    settings = Settings()
    queue = IngestQueue(settings)
    with qtbot.waitSignal(queue.document_ready, timeout=240_000):
        keys = queue.add_paths([str(folder)])
    with qtbot.waitSignal(queue.idle, timeout=120_000):
        queue.cancel(keys[-1])
    statuses = [queue.model.entry(key).status for key in keys]
    assert "cancelled" in statuses and statuses.count("cancelled") < len(keys)
    finished = [key for key in keys if queue.model.entry(key).status in ("needs review", "done")]
    with Store(settings.db_path) as store:
        stored = [row for row in store.documents() if row["status"] in ("needs review", "done")]
    assert len(stored) == len(finished) >= 1
    queue.shutdown()
