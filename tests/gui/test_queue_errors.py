"""A refused file's row can be read in full: its status cell keeps its start, the tooltip holds the
whole message, and a double-click (or Details…) opens it as selectable plain text, word for word
what `soe ingest` prints."""

from __future__ import annotations

import html

from click.testing import CliRunner
from gui_test_helpers import drop_files, wait_for_queue
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from soe_desktop.cli import main
from soe_desktop.core.synthetic import write_bad_inputs


def _double_click(panel, row: int) -> None:
    index = panel.queue.model.index(row, 1)
    panel.table.selectRow(row)
    panel.table.doubleClicked.emit(index)


def test_a_damaged_file_says_in_full_why_it_was_refused(make_window, qtbot, tmp_path):
    damaged = write_bad_inputs(tmp_path / "bad")["truncated_10"]
    cli = CliRunner().invoke(main, ["--db", str(tmp_path / "cli.db"), "ingest", "--quiet", str(damaged)])
    (printed,) = [line for line in cli.stderr.splitlines() if line.startswith("error: ")]
    reason = printed.removeprefix("error: ")
    assert "damaged beyond repair (" in reason  # the CLI names the cause in brackets

    window = make_window()
    window.start_up.finish_now()
    assert drop_files(window, [damaged])
    wait_for_queue(qtbot, window)
    (entry,) = window.queue.model.entries
    assert entry.status == "error" and entry.message == reason
    model = window.queue.model
    status = model.data(model.index(0, 1))
    assert status.startswith("error: the PDF is damaged beyond repair")  # the row already names the file
    assert html.escape(reason) in model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)

    panel = window.queue_panel
    _double_click(panel, 0)
    dialog = panel.details
    assert dialog.isVisible() and not dialog.isModal()
    text = dialog.findChild(QPlainTextEdit)
    assert text.isReadOnly() and reason in text.toPlainText()
    assert str(damaged.parent) in text.toPlainText()  # which folder it came from
    assert bool(text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse)
    assert dialog.width() <= 800  # wrapped: never wider than a laptop screen
    dialog.close()


def test_details_opens_for_the_selected_row_and_markup_in_a_name_stays_words(make_window, qtbot, tmp_path):
    odd = tmp_path / "<b>bold<b>.pdf"
    odd.write_bytes(b"this is not a PDF at all")
    window = make_window()
    window.start_up.finish_now()
    assert drop_files(window, [odd])
    wait_for_queue(qtbot, window)
    panel = window.queue_panel
    assert panel.show_details() is None  # nothing selected: nothing to show
    panel.table.selectRow(0)
    dialog = panel.show_details()
    assert "<b>bold<b>.pdf" in dialog.text.toPlainText()  # shown as typed, not as bold
    assert "<b>bold<b>.pdf" in window.queue.model.entries[0].message
    tooltip = window.queue.model.data(window.queue.model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "<b>bold" not in tooltip and "&lt;b&gt;bold&lt;b&gt;.pdf" in tooltip  # escaped: no markup reaches Qt
    dialog.close()
