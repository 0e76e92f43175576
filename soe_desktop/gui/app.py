"""Start the Qt application: settings, store, main window, first-run sample protocol."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from soe_desktop.core.settings import APP_NAME, default_config_dir, load_settings, save_settings, settings_file
from soe_desktop.gui.first_run import ensure_sample
from soe_desktop.gui.startup import core_steps, freeze_loaded_objects
from soe_desktop.logs import route_logs_to_file
from soe_desktop.resources import icon_file


def app_icon() -> QPixmap:
    """The application icon, loaded from the package's bytes (soe_desktop.resources); a null
    pixmap if the file is missing, so a broken install still starts."""
    pixmap = QPixmap()
    icon = icon_file()
    if icon.is_file():
        pixmap.loadFromData(icon.read_bytes())
    return pixmap


def preload_core() -> None:
    """Import the pipeline and its detectors now, on the calling (GUI) thread, then freeze.

    Loading compiled extensions (OpenCV for camelot, pdfplumber's stack) holds Python's GIL for
    hundreds of ms; done later in the ingest worker it would freeze the window mid-drop. The
    window runs the same steps itself after its first paint (see `startup.StartUp`); this is
    for callers that want them done before anything else.
    """
    for step in core_steps():
        step.run()
    freeze_loaded_objects()


GIL_SWITCH_INTERVAL_S = 0.001


def share_the_gil_often() -> None:
    """Make a busy worker thread hand Python's GIL over every 1 ms instead of every 5 ms.

    Every Qt event the window handles in Python (a timer, a progress signal, a repaint) must take
    the GIL from the ingest worker, which runs pdfminer in pure Python; at the default 5 ms a burst
    of such events queued up to 60-110 ms stalls while a page was being detected. At 1 ms the
    longest stall fell to 28-47 ms with no measurable change in ingest time (docs/BENCHMARKS.md).
    """
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def create_window(paths: list[str] | None = None, config_dir: Path | None = None, open_sample: bool = True,
                  overrides: dict | None = None):
    """Build the main window (an existing QApplication is required); queue `paths`, or the sample
    protocol when the library is empty, so the app is never empty. `overrides`: settings for this
    run only (`--data-dir`, `--offline`), applied over the saved ones and not written on first run.

    The heavy imports are not done here: the window does them after its first paint and holds
    its ingest queue until then (`window.start_up`), so it shows within a fraction of a second.
    """
    from soe_desktop.core.store import Store
    from soe_desktop.gui.main_window import MainWindow

    share_the_gil_often()
    config_dir = config_dir or default_config_dir()
    first_run = not settings_file(config_dir).exists()
    settings = load_settings(config_dir)
    if first_run:
        save_settings(settings, config_dir)
    settings = replace(settings, **(overrides or {}))
    route_logs_to_file(settings.data_path)  # library warnings go to the log file, not the terminal
    settings.data_path.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db_path)
    window = MainWindow(settings, store, config_dir)
    start_rotating_backup(window, settings)
    to_open = list(paths or [])
    if open_sample and not to_open and not store.documents():
        to_open = [str(ensure_sample(settings.data_path))]
    if to_open:
        window.add_paths(to_open)
    return window


def start_rotating_backup(window, settings) -> None:
    """One backup of the library per start (Settings.backups_to_keep, 0 = off), on the ingest pool's
    thread so it runs off the GUI thread, before queued documents, and is joined at shutdown."""
    if settings.backups_to_keep <= 0:
        return
    from soe_desktop.core.store.backup import rotating_backup
    from soe_desktop.gui.workers import Worker

    def back_up(progress, cancel):  # cancelled by shutdown: the half copy is removed, older backups stay
        return rotating_backup(settings.db_path, settings.backups_dir, settings.backups_to_keep, settings.models_dir,
                               progress=progress, cancel=cancel)

    window.queue.pool.start(Worker(back_up, "library backup"))


class StartupReport(QObject):
    """`--report-startup`: print a line when the window first paints and one when start-up is done,
    flushed at once, so a launcher (benchmarks/bundle.py) can time them from outside the process."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.painted = False
        window.installEventFilter(self)
        window.start_up.ready.connect(self.on_ready)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            print("startup: painted", flush=True)
        return False

    @Slot()
    def on_ready(self) -> None:
        print("startup: ready", flush=True)


def run(paths: list[str] | None = None, quit_after: float | None = None, overrides: dict | None = None,
        report_startup: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(QIcon(icon))
    splash = show_splash(app, icon)
    window = create_window(paths, overrides=overrides)
    if report_startup:
        StartupReport(window)
    window.show()
    if splash is not None:
        splash.close()
        splash.deleteLater()
    if quit_after is not None:
        QTimer.singleShot(int(quit_after * 1000), app.quit)
    try:
        return app.exec()
    finally:
        close_window(window)


def show_splash(app: QApplication, pixmap: QPixmap | None = None) -> QWidget | None:
    """The app's icon and 'Starting…' on screen within a few hundred ms of launch, while the
    window is built (opening the library imports sqlite-utils, which imports pandas: ~0.6 s).

    A plain frameless widget: QSplashScreen.show() waited a fixed second for its window to be
    exposed here (Qt 6.12, offscreen and xcb alike), longer than what it was meant to cover.
    """
    pixmap = app_icon() if pixmap is None else pixmap
    if pixmap.isNull():
        return None
    splash = QWidget(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    layout = QVBoxLayout(splash)
    icon = QLabel()
    icon.setPixmap(pixmap.scaled(128, 128, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation))
    layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
    layout.addWidget(QLabel("Starting SoE Desktop…"), 0, Qt.AlignmentFlag.AlignHCenter)
    splash.show()
    app.processEvents()
    return splash


def close_window(window) -> None:
    """Join the workers, deliver their last queued signals, then free the window and the store now,
    while everything they point at still exists (not at some later garbage collection)."""
    window.shutdown()
    QApplication.sendPostedEvents()
    window.close()
    window.store.close()
    shiboken6.delete(window)
