"""Start the Qt application: settings, store, main window, first-run sample protocol."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from soe_desktop.core.settings import APP_NAME, default_config_dir, load_settings, save_settings, settings_file
from soe_desktop.gui.first_run import ensure_sample

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "soe-desktop.png"


def preload_core() -> None:
    """Import the pipeline and its detectors now, on the GUI thread, before the window shows.

    Loading compiled extensions (OpenCV for camelot, pdfplumber's stack) holds Python's GIL for
    hundreds of ms; done later in the ingest worker it would freeze the window mid-drop.
    """
    import soe_desktop.core.labeling.heuristic  # noqa: F401
    import soe_desktop.core.pipeline  # noqa: F401

    try:
        import camelot  # noqa: F401  (imported lazily by the lattice detector)
    except ImportError:  # without camelot the detector runs pdfplumber only: nothing to preload
        pass
    freeze_loaded_objects()


def freeze_loaded_objects() -> None:
    """Move everything loaded so far out of the garbage collector's sight (`gc.freeze`).

    The imports above leave ~130 000 long-lived objects (Qt wrappers, pandas, OpenCV, pdfminer).
    A full collection walks all of them and more, 60-110 ms with the GIL held, and one was
    triggered in the ingest worker by its allocations: the window froze that long mid-drop.
    Frozen objects are never freed, which is what import-time objects are anyway.
    """
    gc.collect()
    gc.freeze()


def create_window(paths: list[str] | None = None, config_dir: Path | None = None, open_sample: bool = True):
    """Build the main window (an existing QApplication is required); queue `paths`, or the sample
    protocol when the library is empty, so the app is never empty."""
    from soe_desktop.core.store import Store
    from soe_desktop.gui.main_window import MainWindow

    config_dir = config_dir or default_config_dir()
    first_run = not settings_file(config_dir).exists()
    settings = load_settings(config_dir)
    if first_run:
        save_settings(settings, config_dir)
    settings.data_path.mkdir(parents=True, exist_ok=True)
    preload_core()
    store = Store(settings.db_path)
    window = MainWindow(settings, store, config_dir)
    to_open = list(paths or [])
    if open_sample and not to_open and not store.documents():
        to_open = [str(ensure_sample(settings.data_path))]
    if to_open:
        window.add_paths(to_open)
    return window


def run(paths: list[str] | None = None, quit_after: float | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    window = create_window(paths)
    window.show()
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), app.quit)
    try:
        return app.exec()
    finally:
        close_window(window)


def close_window(window) -> None:
    """Join the workers, deliver their last queued signals, then free the window and the store now,
    while everything they point at still exists (not at some later garbage collection)."""
    window.shutdown()
    QApplication.sendPostedEvents()
    window.close()
    window.store.close()
    shiboken6.delete(window)
