"""Take the README screenshots from a real window: run under a virtual X display, e.g.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_screenshots.py

It opens the generated sample protocol in a fresh data folder, reviews a few candidates, starts a
small training run (grabbed mid-run) and shows the dashboard. Not offscreen: the point is to show
what a person sees.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent
WORK = Path(tempfile.mkdtemp(prefix="soe-screens-"))
os.environ.setdefault("SOE_DESKTOP_DATA_DIR", str(WORK / "data"))
os.environ.setdefault("SOE_DESKTOP_CONFIG_DIR", str(WORK / "config"))

from PySide6.QtWidgets import QApplication  # noqa: E402


def pump(app: QApplication, seconds: float, until=None) -> None:
    """Let the window live for `seconds` (or until `until()` is true)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.01)


def grab(window, name: str) -> None:
    path = OUT / name
    window.grab().save(str(path))
    print(f"saved {path}")


def review_a_few(app, window) -> None:
    """Accept or correct some candidates, then leave the selection on an SoE table."""
    session = window.session
    for step in range(min(5, len(session.candidates))):
        session.reject() if step == 3 else session.accept()  # one correction shows on the dashboard
        session.next()
        pump(app, 0.2)
    soe = [c for c in session.candidates if (label := session.label(c.id)) and label.is_soe]
    if soe:
        session.select(soe[0].id)
        window.page_view.fit_page()
        window.page_view.go_to_page(soe[0].page)
        session.select(soe[0].id)


def main() -> int:
    from soe_desktop.gui.app import close_window, create_window

    from soe_desktop.core.synthetic import write_protocol

    app = QApplication(sys.argv[:1])
    window = create_window(open_sample=True)
    window.resize(1560, 940)
    window.show()
    pump(app, 120, until=lambda: not window.queue.is_busy() and bool(window.session.candidates))
    more = [WORK / "inbox" / f"protocol_{seed:02d}.pdf" for seed in (21, 22, 23, 24)]
    for seed, path in zip((21, 22, 23, 24), more):
        write_protocol(path, seed=seed, prose_pages=4)
    window.add_paths([str(path) for path in more])  # more documents to train on, queued behind
    pump(app, 300, until=lambda: not window.queue.is_busy())
    pump(app, 1.0)
    review_a_few(app, window)
    pump(app, 1.5)
    grab(window, "main_window.png")

    panel = window.training_panel
    window.show_training()
    panel.epochs.setValue(8)
    panel.args_overrides = {"batch_size": 4, "max_tokens": 64, "validation_fraction": 0.4}
    panel.start()
    pump(app, 300, until=lambda: panel.progress.value() >= 0.45 * panel.progress.maximum() > 1
         or not panel.is_running())
    pump(app, 0.5)
    grab(window, "training_panel.png")
    pump(app, 600, until=lambda: not panel.is_running())
    if panel.last_run and panel.last_run.get("status") == "completed":
        panel.activate(panel.last_run["version"])

    window.show_dashboard()
    pump(app, 1.5)
    grab(window, "dashboard.png")
    close_window(window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
