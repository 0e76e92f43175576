"""`soe batch` on a real Dask LocalCluster (2 worker processes, shared by this module's tests) and
small generated protocols: parity with `soe ingest`, failures, resume, a killed worker, the watchdog
and the JSON summary."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import asdict, replace
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from click.testing import CliRunner  # noqa: E402

from soe_desktop.cli import main  # noqa: E402
from soe_desktop.core.app.batch import FAILED, SKIPPED, BatchOptions, batch_inputs, run_batch  # noqa: E402
from soe_desktop.core.app.ingest import ingest_document  # noqa: E402
from soe_desktop.core.errors import SoeError  # noqa: E402
from soe_desktop.core.settings import Settings  # noqa: E402
from soe_desktop.core.store import Store  # noqa: E402
from soe_desktop.core.synthetic.damaged import truncated, write_many_pages, write_small_protocol  # noqa: E402

pytestmark = pytest.mark.slow  # a cluster start and worker restarts take seconds each


@pytest.fixture(scope="module")
def client():
    """One local cluster for the module, set up as batch.connect does; a document that kills its
    worker is retried once only."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster) as client:
            yield client


@pytest.fixture(scope="module")
def protocols(tmp_path_factory) -> Path:
    """Two short protocols with SoE grids, a damaged copy (read through qpdf's repair) and junk."""
    folder = tmp_path_factory.mktemp("archive")
    first = write_small_protocol(folder / "a.pdf", seed=3)
    write_small_protocol(folder / "b.pdf", seed=4)
    (folder / "c_damaged.pdf").write_bytes(truncated(first.read_bytes(), 90))
    (folder / "d_junk.pdf").write_bytes(b"this is not a PDF")
    return folder


@pytest.fixture
def tiny(tmp_path) -> Path:
    """Four distinct tiny documents (seconds of analysis between them all)."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    for count, name in enumerate(["a", "b", "c", "d"], start=1):
        write_many_pages(folder / f"{name}.pdf", count=count)
    return folder


def settings_in(folder: Path, **changes) -> Settings:
    return Settings(data_dir=str(folder), auto_accept_threshold=0.9, **changes)


def library_view(store: Store, data_dir: Path) -> dict:
    """Everything `soe ingest` writes, without times and the library's own folder; a label's row
    id (which follows the order documents finished in) is named by its candidate and source."""
    def clean(value):
        return json.loads(json.dumps(value, default=str).replace(str(data_dir), "<library>"))

    stored = store.labels()
    label_key = {label.id: f"{label.candidate_id}/{label.source}" for label in stored}
    documents = [{key: row[key] for key in ("sha256", "filename", "original_path", "page_count", "status",
                                            "error", "repaired", "stored_path")} for row in store.documents()]
    audit = [{**{key: value for key, value in entry.items() if key not in ("id", "at")},
              "label_id": label_key.get(entry.get("label_id"))} for entry in store.audit_entries()]
    labels = [{key: value for key, value in asdict(label).items() if key not in ("id", "created_at")}
              for label in stored]
    for label in labels:
        if "accepted_label" in label["details"]:
            label["details"]["accepted_label"] = label_key[label["details"]["accepted_label"]]
    return clean({
        "documents": sorted(documents, key=lambda row: row["sha256"]),
        "pages": {row["sha256"]: [asdict(page) for page in store.pages(row["sha256"])] for row in documents},
        "candidates": [asdict(candidate) for candidate in store.candidates(include_stale=True)],
        "labels": sorted(labels, key=lambda label: (label["candidate_id"], label["source"])),
        "audit": sorted(audit, key=lambda entry: json.dumps(entry, sort_keys=True)),
    })


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_batch_stores_what_ingest_stores(client, protocols, tmp_path):
    paths = batch_inputs(protocols)
    by_ingest, by_batch = tmp_path / "ingest", tmp_path / "batch"
    no_limits = dict(page_time_limit_s=0, document_time_limit_s=0)  # a busy machine must not cut a page short
    with Store(by_ingest / "soe.db") as store:
        for path in paths:  # as `soe ingest` does: one after the other, a bad file does not stop the rest
            try:
                ingest_document(path, settings_in(by_ingest, **no_limits), store, ocr=False)
            except SoeError:
                pass
        expected = library_view(store, by_ingest)
    with Store(by_batch / "soe.db") as store:
        summary = run_batch(paths, settings_in(by_batch, **no_limits), store, client, BatchOptions(ocr=False))
        got = library_view(store, by_batch)
    for part in expected:
        assert got[part] == expected[part], part
    report = summary.to_json()
    assert (report["done"], report["failed"], report["repaired"]) == (3, 1, 1)
    assert report["failures"][0]["path"].endswith("d_junk.pdf") and "not a PDF" in report["failures"][0]["reason"]
    assert all(outcome.store_seconds > 0 and outcome.cpu_seconds > 0 for outcome in summary.outcomes
               if outcome.state == "done")
    assert len(expected["documents"]) == 3 and all(row["status"] in ("needs review", "done")
                                                   for row in expected["documents"])


def test_a_rerun_skips_the_finished_and_records_the_repeat_as_ingest_does(client, protocols, tmp_path):
    paths = [path for path in batch_inputs(protocols) if "junk" not in path.name]
    settings = settings_in(tmp_path)
    with Store(tmp_path / "soe.db") as store:
        run_batch(paths, settings, store, client, BatchOptions(ocr=False))
        labels = len(store.labels())
        again = run_batch(paths, settings, store, client, BatchOptions(ocr=False))
        assert [outcome.state for outcome in again.outcomes] == [SKIPPED] * 3
        assert len(store.labels()) == labels
        assert len(store.audit_entries(action="document.duplicate")) == 3  # as a second `soe ingest`


def test_a_failing_document_is_recorded_and_the_batch_goes_on(client, tiny, tmp_path):
    def fail_on_b(name: str) -> None:
        if name == "b.pdf":
            raise RuntimeError("boom in the worker")

    with Store(tmp_path / "soe.db") as store:
        summary = run_batch(batch_inputs(tiny), settings_in(tmp_path), store, client,
                            BatchOptions(ocr=False, before=fail_on_b))
        failed = [outcome for outcome in summary.outcomes if outcome.state == FAILED]
        assert [Path(outcome.path).name for outcome in failed] == ["b.pdf"]
        assert "boom in the worker" in failed[0].reason and "\n" not in failed[0].reason
        statuses = {row["filename"]: (row["status"], row["error"]) for row in store.documents()}
    assert statuses["b.pdf"][0] == "error" and "boom in the worker" in statuses["b.pdf"][1]
    assert {statuses[name][0] for name in ("a.pdf", "c.pdf", "d.pdf")} <= {"needs review", "done"}


def test_an_interrupted_batch_keeps_what_finished_and_a_rerun_does_the_rest(client, tiny, tmp_path):
    paths, settings = batch_inputs(tiny), settings_in(tmp_path)
    with Store(tmp_path / "soe.db") as store:
        seen = []
        first = run_batch(paths, settings, store, client, BatchOptions(ocr=False), on_outcome=seen.append,
                          should_stop=lambda: len(seen) >= 1)
        assert first.interrupted and 1 <= first.count("done") < len(paths)
        finished = {row["sha256"] for row in store.documents() if row["status"] in ("needs review", "done")}
        second = run_batch(paths, settings, store, client, BatchOptions(ocr=False))
        assert second.count(SKIPPED) == len(finished) and second.count("done") == len(paths) - len(finished)
        assert len(store.documents()) == len(paths)
        assert all(row["status"] in ("needs review", "done") for row in store.documents())
        assert len(store.audit_entries(action="document.add")) == len(paths)  # each stored exactly once
    assert integrity(tmp_path / "soe.db") == "ok"


def _batch_with(tmp_path: Path, tiny: Path, client, before, db: str):
    with Store(tmp_path / db) as store:
        summary = run_batch(batch_inputs(tiny), settings_in(tmp_path / db.replace(".db", "")), store, client,
                            BatchOptions(ocr=False, before=before))
        states = {Path(outcome.path).name: outcome for outcome in summary.outcomes}
        rows = {row["filename"]: row for row in store.documents()}
        adds = store.audit_entries(action="document.add")
    client.wait_for_workers(2, timeout=60)  # the nannies bring the killed workers back
    return states, rows, adds


def test_a_killed_worker_costs_only_its_document(client, tiny, tmp_path):
    """b.pdf kills its worker process the first time: Dask runs it again on a fresh one. In a second
    batch d.pdf kills it every time: after allowed-failures it is recorded failed. Nothing else is
    lost or doubled."""
    marker = str(tmp_path / "b-killed-once")

    def kill_b_once(name: str) -> None:
        import os

        if name == "b.pdf" and not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)

    states, _rows, adds = _batch_with(tmp_path, tiny, client, kill_b_once, "once.db")
    assert {name: states[name].state for name in states} == dict.fromkeys(("a.pdf", "b.pdf", "c.pdf", "d.pdf"),
                                                                          "done")
    assert len(adds) == 4 and integrity(tmp_path / "once.db") == "ok"


def test_a_document_that_always_kills_its_worker_fails_alone(client, tmp_path):
    """d.pdf kills every worker that runs it, among three times as many documents as workers: only
    it fails (KilledWorker, after allowed-failures). The others, which would be queued on the dying
    workers were they all submitted at once, are each stored once."""
    folder = tmp_path / "many"
    folder.mkdir()
    names = [f"{letter}.pdf" for letter in "abcdef"]
    for count, name in enumerate(names, start=1):
        write_many_pages(folder / name, count=count)

    def kill_d_always(name: str) -> None:
        import os

        if name == "d.pdf":
            os._exit(1)

    states, rows, adds = _batch_with(tmp_path, folder, client, kill_d_always, "always.db")
    assert {name: states[name].state for name in states} == {**dict.fromkeys(names, "done"), "d.pdf": "failed"}
    assert "KilledWorker" in states["d.pdf"].reason and rows["d.pdf"]["status"] == "error"
    assert len(adds) == len(names) and len({entry["document_sha256"] for entry in adds}) == len(names)
    assert integrity(tmp_path / "always.db") == "ok"


def test_a_document_past_its_time_limit_is_stopped_and_recorded(client, tiny, tmp_path):
    def hang_on_c(name: str) -> None:
        import time

        if name == "c.pdf":
            time.sleep(300)

    settings = settings_in(tmp_path, document_time_limit_s=1.0)
    client.wait_for_workers(2, timeout=60)
    before = set(client.run(os.getpid).values())
    with Store(tmp_path / "soe.db") as store:
        summary = run_batch(batch_inputs(tiny), settings, store, client,
                            BatchOptions(ocr=False, before=hang_on_c, grace_s=2.0, poll_s=0.2))
        states = {Path(outcome.path).name: outcome for outcome in summary.outcomes}
        row = {row["filename"]: row for row in store.documents()}["c.pdf"]
    assert states["c.pdf"].state == "failed" and "time limit" in states["c.pdf"].reason
    assert row["status"] == "error" and "time limit" in row["error"]
    assert [states[name].state for name in ("a.pdf", "b.pdf", "d.pdf")] == ["done"] * 3
    assert summary.seconds < 120
    deadline = time.monotonic() + 60  # the stuck worker's process was ended and its nanny started another
    after = before
    while (len(after) < 2 or after == before) and time.monotonic() < deadline:
        time.sleep(0.5)
        # A worker being replaced may drop the call: ignore it, ask again.
        after = set(client.run(os.getpid, on_error="ignore").values())
    assert len(after) == 2 and len(after & before) == 1


def test_cli_json_summary_on_a_running_cluster(client, tiny, tmp_path):
    (tiny / "junk.pdf").write_bytes(b"not a pdf at all")
    address = client.scheduler.address
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(main, ["--db", str(db), "batch", str(tiny), "--scheduler", address, "--json",
                                       "--no-ocr"])
    assert result.exit_code == 1, result.output  # one document failed
    report = json.loads(result.stdout)
    assert (report["total"], report["done"], report["skipped"], report["failed"]) == (5, 4, 0, 1)
    assert report["failures"][0]["path"].endswith("junk.pdf")
    assert set(report) >= {"repaired", "ocr_pages", "statuses", "documents_per_minute", "peak_rss_mb_per_worker"}
    listing = tmp_path / "list.txt"
    listing.write_text("# the same files, listed\n" + "\n".join(f"tiny/{n}.pdf" for n in "abcd") + "\n")
    again = CliRunner().invoke(main, ["--db", str(db), "batch", str(listing), "--scheduler", address, "--json",
                                      "--resume"])
    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["skipped"], json.loads(again.stdout)["done"]) == (4, 0)


def test_cli_bad_input_is_one_line_and_a_non_zero_exit(tmp_path):
    runner = CliRunner()
    for args in (["batch", str(tmp_path / "missing")], ["batch", str(tmp_path)],
                 ["batch", str(tmp_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]):
        result = runner.invoke(main, ["--db", str(tmp_path / "x.db"), *args])
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


def _soe_batch_child(db: Path, folder: Path, address: str, err: Path):
    import subprocess
    import sys

    soe = Path(sys.executable).with_name("soe")
    return subprocess.Popen([str(soe), "--db", str(db), "batch", str(folder), "--scheduler", address, "--no-ocr"],
                            stdout=subprocess.PIPE, stderr=err.open("w"), text=True, env=dict(os.environ))


def _after_first_result(child, err: Path) -> None:
    deadline = time.monotonic() + 240
    while "done: " not in err.read_text() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)


def test_ctrl_c_and_a_killed_client_keep_what_finished_and_a_rerun_does_the_rest(client, tmp_path):
    import signal

    folder = tmp_path / "protocols"
    for seed in range(6):
        write_small_protocol(folder / f"p{seed}.pdf", seed=20 + seed)
    db, err, address = tmp_path / "soe.db", tmp_path / "err.txt", client.scheduler.address
    interrupted = _soe_batch_child(db, folder, address, err)
    _after_first_result(interrupted, err)
    interrupted.send_signal(signal.SIGINT)
    out, _ = interrupted.communicate(timeout=120)
    killed = _soe_batch_child(db, folder, address, err)
    _after_first_result(killed, err)
    killed.kill()
    killed.wait(timeout=60)
    with Store(db) as store:
        finished = {row["sha256"] for row in store.documents() if row["status"] in ("needs review", "done")}
    rerun = CliRunner().invoke(main, ["--db", str(db), "batch", str(folder), "--scheduler", address, "--json",
                                      "--no-ocr", "--quiet"])
    assert interrupted.returncode == 130 and "interrupted:" in out
    assert rerun.exit_code == 0, rerun.output
    report = json.loads(rerun.stdout)
    assert 1 <= len(finished) < 6 and report["skipped"] == len(finished) and report["done"] == 6 - len(finished)
    with Store(db) as store:
        assert len(store.audit_entries(action="document.add")) == 6
        assert all(row["status"] in ("needs review", "done") for row in store.documents())
    assert integrity(db) == "ok"


@pytest.fixture(scope="module")
def library_with_a_student(tmp_path_factory) -> Path:
    """A library whose active student was trained (tiny, CPU) on teacher labels of two protocols."""
    pytest.importorskip("torch")
    from soe_desktop.core.app.training import train_and_register
    from soe_desktop.core.training.arguments import TrainingArguments

    folder = tmp_path_factory.mktemp("student")
    settings = settings_in(folder)
    with Store(folder / "soe.db") as store:
        for seed in (30, 31):
            ingest_document(write_small_protocol(folder / f"train{seed}.pdf", seed=seed), settings, store, ocr=False)
        trained = train_and_register(settings, store, TrainingArguments(epochs=1, batch_size=8, max_tokens=16,
                                                                        validation_fraction=0.34, device="cpu",
                                                                        threads=1),
                                     "teacher-all", 0.8, activate_anyway=True)
        assert trained.activated, trained.error
    return folder / "soe.db"


def test_with_an_active_student_batch_labels_as_ingest_does(client, library_with_a_student, tmp_path):
    import shutil

    folder = tmp_path / "in"
    paths = [write_small_protocol(folder / f"p{seed}.pdf", seed=seed) for seed in (40, 41)]
    views = {}
    for how in ("ingest", "batch"):
        (tmp_path / how).mkdir()
        shutil.copy(library_with_a_student, tmp_path / how / "soe.db")
        settings = settings_in(tmp_path / how, page_time_limit_s=0, document_time_limit_s=0)
        with Store(tmp_path / how / "soe.db") as store:
            if how == "ingest":
                for path in paths:
                    ingest_document(path, settings, store, ocr=False)
            else:
                summary = run_batch(paths, settings, store, client, BatchOptions(ocr=False))
                assert summary.count("done") == 2
                active = store.active_model()["path"]

                def loaded_students():
                    from soe_desktop.core.app import batch_worker

                    return list(batch_worker._STUDENTS)

                # the plugin loaded it at each worker's setup: one student per worker process
                assert list(client.run(loaded_students).values()) == [[active], [active]]
            views[how] = library_view(store, tmp_path / how)
            assert any(label.source.startswith("student") for label in store.labels())
    for part in views["ingest"]:
        assert views["batch"][part] == views["ingest"][part], part
