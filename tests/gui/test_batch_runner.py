"""The window's batch runner (gui/batch_runner.py): the batch runs in a child process, relays each
document's outcome as it arrives, and the Dask workers it started do not outlive it."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from soe_desktop.core.jobs import CancelToken  # noqa: E402
from soe_desktop.core.settings import Settings  # noqa: E402
from soe_desktop.core.store import Store  # noqa: E402
from soe_desktop.core.synthetic.damaged import write_many_pages  # noqa: E402
from soe_desktop.gui.batch_runner import batch_task  # noqa: E402
from soe_desktop.gui.child_process import ChildDied  # noqa: E402

pytestmark = pytest.mark.slow  # a child process starts a local Dask cluster


def tiny_archive(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True)
    return [str(write_many_pages(folder / f"doc{number}.pdf", count=number)) for number in range(1, count + 1)]


def batch_children() -> list:
    return [child for child in multiprocessing.active_children() if child.name == "soe-batch"]


def test_the_batch_runs_in_a_child_and_relays_each_outcome(tmp_path):
    paths = tiny_archive(tmp_path / "archive", 3)
    (tmp_path / "archive" / "junk.pdf").write_bytes(b"not a pdf")
    paths.append(str(tmp_path / "archive" / "junk.pdf"))
    settings = Settings(data_dir=str(tmp_path / "data"))
    seen = []

    def progress(report) -> None:
        seen.append((report.partial.items[0], len(batch_children())))

    summary = batch_task(paths, settings, False)(progress, CancelToken())
    assert (summary["done"], summary["failed"]) == (3, 1)
    assert sorted(outcome.path for outcome, _ in seen) == sorted(paths)
    assert all(children == 1 for _, children in seen)  # each outcome came while the child ran the batch
    assert {outcome.worker_pid for outcome, _ in seen if outcome.worker_pid}.isdisjoint({os.getpid()})
    with Store(settings.db_path) as store:
        assert len(store.documents()) == 3


def test_the_workers_end_with_a_batch_child_that_is_killed(tmp_path):
    paths = tiny_archive(tmp_path / "archive", 6)
    settings = Settings(data_dir=str(tmp_path / "data"))
    first = threading.Event()
    workers: set[int] = set()

    def progress(report) -> None:
        workers.add(report.partial.items[0].worker_pid)
        first.set()

    failures = []

    def run() -> None:
        try:
            batch_task(paths, settings, False)(progress, CancelToken())
        except ChildDied as error:
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    assert first.wait(240)
    for child in batch_children():
        child.kill()
    thread.join(120)
    assert failures and not thread.is_alive()
    deadline = time.monotonic() + 60  # Dask's workers watch their parent and leave when it goes
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers and not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    """The process runs (a zombie not yet reaped by init counts as gone: it runs nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
