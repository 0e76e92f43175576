"""`soe batch`: a whole archive on every core, or on a Dask cluster (core/app/batch.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from soe_desktop.cli.documents import OCR_OPTION, fail, open_store
from soe_desktop.core.errors import SoeError
from soe_desktop.core.settings import Settings


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes of the local cluster (default: one per core).")
@click.option("--scheduler", default="", metavar="ADDRESS",
              help="Use a running Dask cluster instead, e.g. tcp://host:8786 (its workers must see the "
                   "library's folder).")
@click.option("--resume", is_flag=True,
              help="Skip the documents already finished (what every run does; named for scripts that resume).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@OCR_OPTION
@click.option("--allow-cloud", is_flag=True,
              help="With the Gemini teacher: consent to send these documents' tables to Gemini.")
@click.pass_obj
def batch(settings: Settings, source: Path, workers: int | None, scheduler: str, resume: bool, as_json: bool,
          quiet: bool, ocr: bool, allow_cloud: bool) -> None:
    """Store, analyse and label every PDF of a folder (or of a list file, one path a line) as
    `soe ingest` does, on Dask workers: a local cluster of worker processes, or the cluster at
    --scheduler. The documents already finished are skipped, so a rerun resumes; a failing
    document is recorded and the rest go on; Ctrl+C stops, keeping what finished."""
    from soe_desktop.core.app.batch import BatchOptions, batch_inputs, connect, require_dask, run_batch

    if workers and scheduler:
        fail("--workers and --scheduler exclude each other: a running cluster has its own workers")
    try:
        require_dask()
        paths = batch_inputs(source)
    except SoeError as error:
        fail(str(error))
    store = open_store(settings)
    try:
        with connect(workers or 0, scheduler) as client:
            link = _dashboard(client)
            if link and not as_json:
                click.echo(f"Dask dashboard: {link}", err=True)
            with _Bar(len(paths), enabled=not quiet) as bar:
                summary = run_batch(paths, settings, store, client,
                                    BatchOptions(ocr=ocr, allow_cloud=allow_cloud), on_outcome=bar.advance)
    except SoeError as error:
        store.close()
        fail(str(error))
    store.close()
    report = summary.to_json()
    click.echo(json.dumps(report, indent=2) if as_json else _text(report))
    if summary.interrupted:
        sys.exit(130)
    if report["failed"]:
        sys.exit(1)


def _dashboard(client) -> str:
    from soe_desktop.core.app.batch import dashboard_link

    return dashboard_link(client)


class _Bar:
    """tqdm on the client, advanced as each document's result arrives (as_completed)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.bar = total, enabled, None

    def __enter__(self) -> "_Bar":
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit="doc", file=sys.stderr, dynamic_ncols=True,
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]")
        return self

    def advance(self, outcome) -> None:
        if self.bar is None:
            return
        elapsed = self.bar.format_dict.get("elapsed") or 0.0
        rate = (self.bar.n + 1) * 60 / elapsed if elapsed else 0.0
        self.bar.set_postfix_str(f"{rate:.1f} docs/min, {outcome.state}: {Path(outcome.path).name}"[:60],
                                 refresh=False)
        self.bar.update(1)

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.close()


def _text(report: dict) -> str:
    lines = [f"{report['done']} done, {report['skipped']} skipped, {report['failed']} failed "
             f"({report['repaired']} repaired, {report['ocr_pages']} pages read by OCR) of {report['total']} "
             f"in {report['seconds']:.1f} s on {report['workers']} workers "
             f"({report['documents_per_minute']:.1f} documents/minute)"]
    lines += [f"failed: {_reason(item)}" for item in report["failures"]]
    if report["interrupted"]:
        lines.append(f"interrupted: {report['not_finished']} not finished (a rerun does them)")
    return "\n".join(lines)


def _reason(item: dict) -> str:
    """'name: reason', the name once (most reasons already begin with the file's name)."""
    name = Path(item["path"]).name
    return item["reason"] if item["reason"].startswith(f"{name}:") else f"{name}: {item['reason']}"


COMMANDS = [batch]
