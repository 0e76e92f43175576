"""`soe-desktop` never lets Qt abort: without a usable display it explains and triages headless."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from soe_desktop.__main__ import APT_HINT, display_problem, main, parse_args


REPO_ROOT = Path(__file__).resolve().parents[2]


def _all_libs(name):
    return f"lib{name}.so"


def test_no_display_is_detected_on_linux():
    assert "no display" in display_problem({}, "linux", _all_libs)


def test_missing_xcb_libraries_are_named():
    problem = display_problem({"DISPLAY": ":0"}, "linux", lambda name: None if name == "xcb-cursor" else "x")
    assert "libxcb-cursor" in problem


def test_a_usable_display_or_an_explicit_platform_is_trusted():
    assert display_problem({"DISPLAY": ":0"}, "linux", _all_libs) == ""
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda name: None) == ""
    assert display_problem({}, "win32", lambda name: None) == ""
    assert display_problem({}, "darwin", lambda name: None) == ""


def test_arguments():
    args = parse_args(["a.pdf", "folder", "--quit-after", "2.5"])
    assert args.pdfs == ["a.pdf", "folder"] and args.quit_after == 2.5 and not args.headless


def test_without_a_display_it_prints_the_fix_and_the_sample_soe_pages(monkeypatch, capsys, isolated_app_dirs):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 0
    out, err = capsys.readouterr()
    assert APT_HINT in err and "xvfb-run -a soe-desktop" in err
    assert "sample_protocol.pdf" in out and "SoE pages:" in out
    assert (isolated_app_dirs / "data" / "samples" / "sample_protocol.pdf").exists()


def test_headless_reports_a_bad_pdf_without_crashing(capsys, bad_pdf):
    assert main(["--headless", str(bad_pdf)]) == 1
    assert "broken.pdf: error:" in capsys.readouterr().out


def test_the_window_starts_opens_the_sample_and_quits_by_itself(isolated_app_dirs):
    """The smoke run CI and the screenshot script use, in its own process (offscreen here).

    A separate process also keeps QApplication.exec() out of the test process: after exec()
    returns, PySide6 6.12 no longer releases the GIL in later event loops, which would starve
    the other tests' worker threads.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "soe_desktop", "--quit-after", "3"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert (isolated_app_dirs / "data" / "samples" / "sample_protocol.pdf").exists()
    assert (isolated_app_dirs / "data" / "soe.db").exists()
