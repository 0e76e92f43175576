"""Take the README and user-guide screenshots from a real window: run under a virtual X display, e.g.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_screenshots.py

It opens the generated sample protocol in a fresh data folder (the first-run tips showing), reviews
a few candidates, shows the grid, starts a small training run (grabbed mid-run and at its verdict),
the dashboard, the Settings and About dialogs. Not offscreen: the point is to show what a person sees.

Then it copies docs/USER_GUIDE.md and the pictures it shows into soe_desktop/resources/guide/, the
copy Help ▸ User guide opens in an installed app; `--copy-guide` does only that (after editing the
guide's text).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent
DOCS = OUT.parent
PACKAGED_GUIDE = DOCS.parent / "soe_desktop" / "resources" / "guide"
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


def copy_guide() -> None:
    """docs/USER_GUIDE.md and the screenshots it links, into the package (same relative paths)."""
    text = (DOCS / "USER_GUIDE.md").read_text(encoding="utf-8")
    shutil.rmtree(PACKAGED_GUIDE, ignore_errors=True)
    (PACKAGED_GUIDE / "screenshots").mkdir(parents=True)
    (PACKAGED_GUIDE / "USER_GUIDE.md").write_text(text, encoding="utf-8")
    for name in sorted(set(re.findall(r"\(screenshots/([\w.-]+\.png)\)", text))):
        shutil.copy2(OUT / name, PACKAGED_GUIDE / "screenshots" / name)
    print(f"copied the guide into {PACKAGED_GUIDE}")


def grab_dialog(app, dialog, name: str) -> None:
    dialog.show()
    pump(app, 0.8)
    grab(dialog, name)
    dialog.close()


def review_a_few(app, window) -> None:
    """Accept or correct some candidates, then leave the selection on an SoE table."""
    session = window.session
    for step in range(min(5, len(session.candidates))):
        if step == 3:  # one correction shows on the dashboard
            session.toggle()
            session.next()
        else:
            session.accept()  # accepts and moves on to the next table
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
    pump(app, 1.0)
    grab(window, "first_run_tips.png")
    window.help.tour.dismiss()
    more = [WORK / "inbox" / f"protocol_{seed:02d}.pdf" for seed in (21, 22, 23, 24)]
    for seed, path in zip((21, 22, 23, 24), more):
        write_protocol(path, seed=seed, prose_pages=4)
    window.add_paths([str(path) for path in more])  # more documents to train on, queued behind
    pump(app, 300, until=lambda: not window.queue.is_busy())
    pump(app, 1.0)
    review_a_few(app, window)
    pump(app, 1.5)
    grab(window, "main_window.png")
    pump(app, 60, until=lambda: window.grid_view.isVisible())
    pump(app, 3.0)
    grab(window.grid_view, "grid_view.png")

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
    pump(app, 1.0)
    grab(window, "training_verdict.png")
    if panel.last_run and panel.last_run.get("status") == "completed":
        panel.activate(panel.last_run["version"])

    window.show_dashboard()
    pump(app, 1.5)
    grab(window, "dashboard.png")
    grab_dialogs(app, window)
    close_window(window)
    copy_guide()
    return 0


def grab_dialogs(app, window) -> None:
    from soe_desktop.gui.dialogs.about_dialog import AboutDialog
    from soe_desktop.gui.dialogs.settings_dialog import SettingsDialog

    grab_dialog(app, SettingsDialog(window.settings, window), "settings.png")
    grab_dialog(app, AboutDialog(window.settings.data_path, window.store, window), "about.png")


if __name__ == "__main__":
    if "--copy-guide" in sys.argv[1:]:
        copy_guide()
        sys.exit(0)
    sys.exit(main())
