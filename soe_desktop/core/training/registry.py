"""Model registry: each run's adapter folder on disk plus one row in the store's `models` table.

Folder layout (<models_dir>/<version>/): a standard PEFT adapter (adapter_config.json,
adapter_model.safetensors; loadable with `PeftModel.from_pretrained`), the tokenizer, and
training_args.json / dataset.json / metrics.json / run.json (+ promotion.json, the promotion
gate's comparison, once judged); a fused student (head
"features+text") adds feature_head.safetensors / feature_head.json (head weights, feature scaler). One version is active; a failed or
cancelled run is recorded (so the user sees what happened) but never has weights and never
becomes active.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from soe_desktop.core.errors import BadInputError

if TYPE_CHECKING:  # the trainer imports torch (~1.2 s): listing or activating models must not wait for it
    from soe_desktop.core.training.trainer import TrainResult

ARGS_FILE = "training_args.json"
DATASET_FILE = "dataset.json"
METRICS_FILE = "metrics.json"
RUN_FILE = "run.json"
PROMOTION_FILE = "promotion.json"  # the promotion gate's comparison (core/app/promotion.py)
PROMOTION_KEY = "promotion"  # the same, in the model row's metrics
PART_SUFFIX = ".part"


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True, default=str), encoding="utf-8")


def save_model_folder(result: TrainResult, directory: Path) -> Path:
    """Write a completed run's adapter, tokenizer and metadata to `directory` (created)."""
    if not result.completed or result.model is None:
        raise ValueError(f"run {result.version} is {result.status}: there is no model to save")
    directory.mkdir(parents=True, exist_ok=True)
    result.model.save_pretrained(str(directory))
    result.tokenizer.save_pretrained(str(directory))
    result.args.save(directory / ARGS_FILE)
    _write_json(directory / DATASET_FILE, result.dataset)
    _write_json(directory / METRICS_FILE, result.metrics)
    _write_json(directory / RUN_FILE, run_record(result))
    return directory


def run_record(result: TrainResult) -> dict:
    """What StudentLabeler needs beyond the adapter: version, base model, temperature, decision threshold."""
    return {
        "version": result.version,
        "status": result.status,
        "created_at": result.created_at,
        "base_model": result.args.base_model,
        "base_model_path": result.base_model_path,
        "temperature": result.temperature,
        "threshold": result.threshold,
        "device": result.device,
        "seconds": result.seconds,
        "peak_memory_mb": result.peak_memory_mb,
    }


def read_run_record(directory: Path) -> dict:
    path = Path(directory) / RUN_FILE
    if not path.exists():
        raise BadInputError(f"{directory} is not a SoE Desktop model folder (no {RUN_FILE})")
    return json.loads(path.read_text(encoding="utf-8"))


class ModelRegistry:
    """Register, list, activate, export and delete model versions (rows in `store`, folders in `models_dir`)."""

    def __init__(self, store, models_dir: Path) -> None:
        self.store = store
        self.models_dir = Path(models_dir)

    @classmethod
    def from_settings(cls, store, settings) -> "ModelRegistry":
        return cls(store, settings.models_dir)

    def folder(self, version: str) -> Path:
        return self.models_dir / version

    def register(self, result: TrainResult, activate: bool = True) -> dict:
        """Record a run; a completed one is saved and (by default) made active. Returns its row.

        Crash-safe order: the folder is written under a `.part` name, renamed into place, and
        only then is the row inserted. A kill mid-write leaves a `.part` folder no row points to
        (it never becomes active; another run may be writing its own, so none is removed here);
        a kill before the insert leaves a complete folder without a row; the active model is
        untouched either way."""
        path = ""
        if result.completed:
            path = str(self._save_whole(result))
        self.store.add_model(
            version=result.version,
            created_at=result.created_at,
            base_model=result.args.base_model or result.base_model_path,
            status=result.status,
            active=bool(activate and result.completed),
            path=path,
            args=result.args.to_dict(),
            dataset=result.dataset,
            metrics={**result.metrics, "error": result.error} if result.error else result.metrics,
            seconds=result.seconds,
            peak_rss_mb=result.peak_memory_mb,
        )
        return self.get(result.version)

    def _save_whole(self, result: TrainResult) -> Path:
        final = self.folder(result.version)
        staging = final.with_name(final.name + PART_SUFFIX)
        try:
            save_model_folder(result, staging)
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final

    def record_comparison(self, version: str, comparison: dict) -> dict:
        """Keep the promotion gate's comparison with the model: in its row's metrics (`promotion`)
        and as promotion.json in its folder; audited. Returns the updated row."""
        row = self.get(version)
        self.store.update_model(version, metrics={**(row.get("metrics") or {}), PROMOTION_KEY: comparison})
        if row.get("path") and Path(row["path"]).is_dir():
            _write_json(Path(row["path"]) / PROMOTION_FILE, comparison)
        figures = {key: (comparison.get(key) or {}).get("f1") for key in ("challenger", "champion")}
        self.store.audit("model.compare", version, {"winner": comparison.get("winner", ""),
                                                    "page_f1": figures, "documents": comparison.get("documents", 0),
                                                    "method": comparison.get("method", "")})
        return self.get(version)

    def list(self) -> list[dict]:
        return self.store.models()

    def get(self, version: str) -> dict:
        row = self.store.model(version)
        if row is None:
            raise KeyError(f"no model version {version!r}")
        return row

    def active(self) -> Optional[dict]:
        return self.store.active_model()

    def active_folder(self) -> Optional[Path]:
        row = self.active()
        return Path(row["path"]) if row and row.get("path") else None

    def activate(self, version: str, actor: str = "user") -> None:
        """Refused (ValueError) for failed/cancelled runs and for versions whose folder is gone."""
        row = self.get(version)
        if row["status"] == "completed" and not Path(row["path"]).is_dir():
            raise BadInputError(f"model {version}'s folder {row['path']} is missing; it cannot be activated")
        self.store.activate_model(version, actor=actor)

    def delete(self, version: str, actor: str = "user") -> None:
        """Forget the version and remove its folder (labels it produced stay in the store)."""
        row = self.get(version)
        self.store.delete_model(version, actor=actor)
        if row.get("path") and Path(row["path"]).is_dir():
            shutil.rmtree(row["path"])

    def export(self, version: str, destination: Path) -> Path:
        """Copy the model folder to `destination` (a folder), or to a .zip archive when it ends in .zip."""
        row = self.get(version)
        if not row.get("path") or not Path(row["path"]).is_dir():
            raise BadInputError(f"model {version} has no saved weights (status {row['status']})")
        destination = Path(destination)
        if destination.suffix == ".zip":
            return Path(shutil.make_archive(str(destination.with_suffix("")), "zip", row["path"]))
        if destination.exists() and any(destination.iterdir()):
            destination = destination / version
        shutil.copytree(row["path"], destination, dirs_exist_ok=True)
        return destination
