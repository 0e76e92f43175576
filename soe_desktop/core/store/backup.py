"""Backup and restore of the library with SQLite's online backup API, plus rotating backups.

A backup is one self-contained SQLite file (journal mode DELETE) and, beside it,
`<backup>.manifest.json`: schema, counts, the newest event, and every model version with its
adapter files and their sha256 (the adapters stay in the models folder unless copied with
`copy_models=True`, into `<backup>.models/<version>/`).

Consistency: the backup reads one snapshot. The source connection holds a read transaction for
the whole copy, so in WAL mode the app keeps writing beside it and the backup neither restarts
nor mixes two states; a label and its audit entry are always both in it or both out.
Crash safety: the copy goes to `.<name>-*.part` in the target's folder and is renamed onto the
target only once complete and checked, so a killed backup leaves the old target (or none) and a
recognisable partial file, never half a backup under the real name.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from soe_desktop import __version__
from soe_desktop.core.errors import BadInputError, SoeError
from soe_desktop.core.jobs import CancelToken, ProgressCallback, Progress, check, no_progress
from soe_desktop.core.model import utc_now
from soe_desktop.core.store.database import BUSY_TIMEOUT_S, Store
from soe_desktop.core.store.migrations import MIGRATION_SET, migrations

MANIFEST_SUFFIX = ".manifest.json"
MODELS_SUFFIX = ".models"
PART_SUFFIX = ".part"
STEP_PAGES = 1024  # 4 MiB per step at SQLite's default page size: progress and cancel between steps
ROTATING_PREFIX = "soe-"
STALE_PART_S = 3600.0  # a rotating backup's .part older than this was left by a crash
# Tables with a time column whose newest value says how recent a library is. Backups and restores
# themselves are left out, so a backup taken a moment ago still counts as up to date.
EVENT_COLUMNS = (("labels", "created_at"), ("audit", "at"), ("documents", "updated_at"),
                 ("models", "created_at"), ("ledger", "at"))
COUNTED_TABLES = ("documents", "pages", "candidates", "labels", "audit", "models")


class RestoreRefused(SoeError):
    """The restore would overwrite a library that is newer than the backup (use force)."""


# --- what a library holds ------------------------------------------------------------------------


def library_state(conn: sqlite3.Connection) -> dict:
    """Schema (migrations applied), newest event time and row counts of an open database."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    schema = []
    if "_sqlite_migrations" in tables:
        schema = [row[0] for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", [MIGRATION_SET])]
    times = []
    for table, column in EVENT_COLUMNS:
        if table in tables:
            where = " WHERE action NOT LIKE 'library.%'" if table == "audit" else ""
            times.append(conn.execute(f"SELECT MAX({column}) FROM {table}{where}").fetchone()[0])
    counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in COUNTED_TABLES if table in tables}
    return {"schema": schema, "newest_event": max((t for t in times if t), default=""), "counts": counts}


def read_backup_state(path: Path) -> dict:
    """The state of a backup file; BadInputError when it is not a sound SoE Desktop library."""
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"{path}: no such backup file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            state = library_state(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise BadInputError(f"{path.name}: not a SoE Desktop library backup ({error})") from None
    if verdict != "ok":
        raise BadInputError(f"{path.name}: the backup is damaged ({verdict})")
    if not state["schema"]:
        raise BadInputError(f"{path.name}: not a SoE Desktop library backup (no schema record)")
    return state


# --- backup --------------------------------------------------------------------------------------


def backup_library(
    db_path: str | Path,
    target: str | Path,
    models_dir: str | Path | None = None,
    copy_models: bool = False,
    progress: ProgressCallback = no_progress,
    cancel: Optional[CancelToken] = None,
) -> dict:
    """Copy the library at `db_path` to `target` (replaced atomically) and write its manifest.

    Returns the manifest. Safe while other connections write to the library.
    """
    db_path, target = Path(db_path), Path(target)
    if not db_path.is_file():
        raise BadInputError(f"{db_path}: no library to back up")
    if target.resolve() == db_path.resolve():
        raise BadInputError(f"{target}: a backup cannot replace the library itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}-", suffix=PART_SUFFIX, dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        state = _copy_snapshot(db_path, temp, progress, cancel)
        _fsync(temp)
        os.replace(temp, target)
        _fsync(target.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    manifest = _manifest(target, db_path, state, models_dir, copy_models)
    _write_json_atomically(manifest_path(target), manifest)
    with Store(db_path) as store:
        store.audit("library.backup", str(target), {"counts": state["counts"], "models": len(manifest["models"])})
    return manifest


def manifest_path(target: str | Path) -> Path:
    return Path(f"{target}{MANIFEST_SUFFIX}")


def _copy_snapshot(db_path: Path, temp: Path, progress: ProgressCallback, cancel: Optional[CancelToken]) -> dict:
    source = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    copy = sqlite3.connect(temp)
    try:
        source.execute("BEGIN")  # one read transaction = one snapshot for every step below
        source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            check(cancel)
            progress(Progress("backing up", total - remaining, total, "pages copied"))

        source.backup(copy, pages=STEP_PAGES, progress=step)
        source.execute("COMMIT")
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise SoeError(f"the backup copy failed its integrity check ({verdict})")
        return library_state(copy)
    finally:
        copy.close()
        source.close()


def _manifest(target: Path, db_path: Path, state: dict, models_dir, copy_models: bool) -> dict:
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        rows = [dict(row) for row in conn.execute("SELECT version, status, active, path FROM models ORDER BY created_at")] \
            if "models" in state["counts"] else []
    finally:
        conn.close()
    models = [_model_entry(row, target, models_dir, copy_models) for row in rows]
    return {"created_at": utc_now(), "app_version": __version__, "library": str(db_path),
            "backup": target.name, "backup_sha256": _sha256(target), **state, "models": models}


def _model_entry(row: dict, target: Path, models_dir, copy_models: bool) -> dict:
    folder = Path(row["path"]) if row["path"] else (Path(models_dir) / row["version"] if models_dir else None)
    entry = {"version": row["version"], "status": row["status"], "active": bool(row["active"]),
             "folder": str(folder) if folder else "", "files": [], "copied_to": ""}
    if folder is None or not folder.is_dir():
        return entry
    entry["files"] = [{"name": file.relative_to(folder).as_posix(), "bytes": file.stat().st_size, "sha256": _sha256(file)}
                      for file in sorted(folder.rglob("*")) if file.is_file()]
    if copy_models:
        destination = Path(f"{target}{MODELS_SUFFIX}") / row["version"]
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(folder, destination)
        entry["copied_to"] = str(destination)
    return entry


# --- restore -------------------------------------------------------------------------------------


def restore_library(backup: str | Path, db_path: str | Path, force: bool = False,
                    models_dir: str | Path | None = None) -> dict:
    """Replace the library at `db_path` with `backup`.

    Refused (RestoreRefused) when the library has a newer event or a later schema than the
    backup, unless `force`; refused always (BadInputError) for a damaged file or a backup made by
    a newer app. The library being replaced is first saved beside it (`*.before-restore-*.db`).
    Model folders copied with the backup are put back when missing. Returns a summary.
    """
    backup, db_path = Path(backup), Path(db_path)
    incoming = read_backup_state(backup)
    unknown = [name for name in incoming["schema"] if name not in {m.name for m in migrations._migrations}]
    if unknown:
        raise BadInputError(f"{backup.name} was made by a newer SoE Desktop (schema {unknown[-1]}); update the app first")
    saved = ""
    if db_path.is_file():
        current = _state_of(db_path)
        reason = _newer(current, incoming)
        if reason and not force:
            raise RestoreRefused(f"the library {db_path} is newer than the backup ({reason}); use --force to overwrite it")
        saved = str(_safety_copy_path(db_path))
        backup_library(db_path, saved)
    _copy_into(backup, db_path)
    restored_models = _restore_models(backup, models_dir)
    with Store(db_path) as store:  # brings an older backup's schema up to date
        store.audit("library.restore", str(backup), {"forced": force, "previous_saved_as": saved,
                                                     "models_restored": restored_models})
    return {"restored": str(db_path), "from": str(backup), "previous_saved_as": saved,
            "models_restored": restored_models, **incoming}


def _state_of(db_path: Path) -> dict:
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
    try:
        return library_state(conn)
    finally:
        conn.close()


def _newer(current: dict, incoming: dict) -> str:
    """Why the current library is newer than the backup ('' when it is not)."""
    if len(current["schema"]) > len(incoming["schema"]):
        return f"schema {current['schema'][-1]} vs {incoming['schema'][-1]}"
    if current["newest_event"] > incoming["newest_event"]:
        return f"last change {current['newest_event']} vs {incoming['newest_event'] or 'none'}"
    return ""


def _safety_copy_path(db_path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return db_path.with_name(f"{db_path.stem}.before-restore-{stamp}{db_path.suffix}")


def _copy_into(backup: Path, db_path: Path) -> None:
    """Write the backup's pages into the library in one transaction (other connections wait)."""
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    destination = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_models(backup: Path, models_dir) -> list[str]:
    copied = Path(f"{backup}{MODELS_SUFFIX}")
    if models_dir is None or not copied.is_dir():
        return []
    restored = []
    for folder in sorted(path for path in copied.iterdir() if path.is_dir()):
        destination = Path(models_dir) / folder.name
        if not destination.exists():
            shutil.copytree(folder, destination)
            restored.append(folder.name)
    return restored


# --- rotating backups ----------------------------------------------------------------------------


def rotating_backup(db_path: str | Path, backups_dir: str | Path, keep: int, models_dir: str | Path | None = None,
                    progress: ProgressCallback = no_progress, cancel: Optional[CancelToken] = None) -> Path | None:
    """A new timestamped backup in `backups_dir`, keeping the newest `keep` (0 = off); returns it."""
    db_path, backups_dir = Path(db_path), Path(backups_dir)
    if keep <= 0 or not db_path.is_file():
        return None
    _remove_stale_parts(backups_dir)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")  # sorts by time as text
    target = backups_dir / f"{ROTATING_PREFIX}{stamp}Z.db"
    backup_library(db_path, target, models_dir=models_dir, progress=progress, cancel=cancel)
    for old in sorted(backups_dir.glob(f"{ROTATING_PREFIX}*Z.db"))[:-keep]:
        old.unlink(missing_ok=True)
        manifest_path(old).unlink(missing_ok=True)
    return target


def _remove_stale_parts(backups_dir: Path) -> None:
    if not backups_dir.is_dir():
        return
    for part in backups_dir.glob(f".{ROTATING_PREFIX}*{PART_SUFFIX}"):
        if time.time() - part.stat().st_mtime > STALE_PART_S:
            part.unlink(missing_ok=True)


# --- files ---------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk; folders cannot be opened on Windows."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_json_atomically(path: Path, value: dict) -> None:
    temp = path.with_name(f".{path.name}{PART_SUFFIX}")
    temp.write_text(json.dumps(value, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temp, path)
