"""The window's batch runner: a drop of many files runs core/app/batch.py in a child process.

Why a child and not the queue's worker thread: the Dask client, the local cluster's scheduler (which
LocalCluster runs in the process that starts it) and the unpickling and storing of every result
are Python work that holds the GIL. Run in the window's process they took it from the GUI thread
for tens of milliseconds at a time whenever results arrived (benchmarks/batch.py --gui measures
it). In a child, the window's process only relays each document's Outcome to the queue's rows.

The child is child_process's one runner (its protocol, cancel flag and death detection); the
child itself starts the local cluster, so it is the Dask client and the library's only batch
writer, as `soe batch` is. No Qt in this module: the child imports it.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import asdict, replace
from pathlib import Path

from soe_desktop.core.jobs import CancelToken, Partial, Progress, ProgressCallback
from soe_desktop.core.settings import Settings
from soe_desktop.gui.child_process import run_in_child


class BatchService:
    """Child side of one batch: the payload is (settings fields, paths, allow_cloud); each
    document's Outcome goes back as a Progress carrying it as a Partial, in the order results
    arrive; the reply is the summary's JSON (BatchSummary.to_json)."""

    def __call__(self, payload, progress: ProgressCallback, cancel: CancelToken, _note) -> dict:
        from soe_desktop.core.app.batch import BatchOptions, connect, run_batch
        from soe_desktop.core.store import Store

        fields, paths, allow_cloud = payload
        settings = Settings(**fields)
        done = []

        def report(outcome) -> None:
            done.append(outcome)
            progress(Progress("batch", len(done), len(paths), partial=Partial((outcome,))))

        allow_worker_processes()
        with Store(settings.db_path) as store, connect() as client:
            summary = run_batch([Path(path) for path in paths], settings, store, client,
                                BatchOptions(allow_cloud=allow_cloud), on_outcome=report,
                                should_stop=lambda: cancel.cancelled)
        return summary.to_json()


def allow_worker_processes() -> None:
    """child_process starts its children daemonic (ended with the window), and multiprocessing
    refuses children to a daemonic process, lest they be orphaned. Dask's worker processes end
    by themselves when the process that started them goes (distributed's AsyncProcess watches a
    pipe from its parent), so this child may start them."""
    multiprocessing.current_process()._config["daemon"] = False


def batch_task(paths: list[str], settings: Settings, allow_cloud: bool):
    """A core task `(progress, cancel) -> summary dict` that runs the batch in a one-shot child.
    A cancel waits for the child's answer: the batch cancels its unfinished documents, keeps the
    finished ones, and the summary comes back."""
    # The child reads the same library whatever its environment says (as training_in_child pins it).
    pinned = replace(settings, data_dir=str(settings.data_path), db_file=str(settings.db_path))
    payload = (asdict(pinned), [str(path) for path in paths], allow_cloud)

    def task(progress: ProgressCallback, cancel: CancelToken) -> dict:
        return run_in_child(BatchService, payload, "batch", progress, cancel)

    return task
