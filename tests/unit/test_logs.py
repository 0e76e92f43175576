"""Library chatter goes to the data folder's log file, never to the terminal."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from soe_desktop.logs import HANDLER_NAME, log_file, route_logs_to_file

CHATTER = "Page label tree is missing index 0"


@pytest.fixture
def no_app_handler():
    """Leave the test process's logging as it was."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()


def write_page_label_quirk(path) -> None:
    """Two pages of a scanned-looking grid under a text caption (pdfplumber finds no table, so
    camelot, and with it playa, reads the page) and a page-label tree that starts at page 2."""
    grid = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(grid)
    for i in range(7):
        draw.line([(50, 50 + i * 130), (1150, 50 + i * 130)], fill=0, width=4)
        draw.line([(50 + i * 183, 50), (50 + i * 183, 830)], fill=0, width=4)
    canvas = Canvas(str(path), pagesize=letter)
    for _ in range(2):
        canvas.drawString(72, 740, "Table 3: Schedule of Activities (scanned)")
        canvas.drawImage(ImageReader(grid), 60, 150, 490, 370)
        canvas.showPage()
    canvas.addPageLabel(1, style="D", start=1)
    canvas.save()


def test_soe_triage_keeps_pdf_library_warnings_off_stderr_and_in_the_log(tmp_path):
    pdf = tmp_path / "labels_from_page_2.pdf"
    write_page_label_quirk(pdf)
    env = {**os.environ, "SOE_DESKTOP_DATA_DIR": str(tmp_path / "data")}
    # A child process: pytest's own log handlers would otherwise hide what a user's terminal shows.
    result = subprocess.run([sys.executable, "-c", "from soe_desktop.cli import main; main()", "triage", str(pdf)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert CHATTER not in result.stderr and CHATTER not in result.stdout
    assert CHATTER in log_file(tmp_path / "data").read_text(encoding="utf-8")


def test_routing_again_replaces_the_handler_and_writes_to_the_new_folder(tmp_path, no_app_handler):
    first = route_logs_to_file(tmp_path / "one")
    second = route_logs_to_file(tmp_path / "two")
    logging.getLogger("playa.document").warning(CHATTER)
    logging.getLogger("soe_desktop.core.pdf.detect").info("camelot turned page 3")
    ours = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1
    ours[0].flush()
    assert first is not None and not first.exists()
    assert second is not None and {CHATTER, "camelot turned page 3"} <= set(
        line.split(": ", 1)[1] for line in second.read_text(encoding="utf-8").splitlines())


def test_an_unwritable_data_folder_drops_the_records_instead_of_printing_them(tmp_path, capfd, no_app_handler):
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    assert route_logs_to_file(blocked) is None
    root = logging.getLogger()
    others = [h for h in root.handlers if h.get_name() != HANDLER_NAME]
    for handler in others:  # pytest's capture handlers: away, so only what the app installed is left
        root.removeHandler(handler)
    try:
        logging.getLogger("playa.document").warning(CHATTER)
    finally:
        for handler in others:
            root.addHandler(handler)
    assert CHATTER not in capfd.readouterr().err
