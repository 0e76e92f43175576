"""First run: command-line options, the tips tour (dismissed for good), Help ▸ User guide and About."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel

from soe_desktop import __version__
from soe_desktop.__main__ import main, parse_args, run_overrides
from soe_desktop.gui.tour import TIPS, tour_dismissed

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"SoE Desktop {__version__}"


def test_data_dir_and_offline_hold_for_this_run_only(tmp_path):
    args = parse_args(["--data-dir", str(tmp_path / "lib"), "--offline", "a.pdf", "b.pdf"])
    assert args.pdfs == ["a.pdf", "b.pdf"]
    assert run_overrides(args) == {"data_dir": str((tmp_path / "lib").resolve()), "offline": True}
    assert run_overrides(parse_args([])) == {}


def test_the_window_uses_the_run_s_data_folder_without_saving_it(qtbot, isolated_app_dirs, tmp_path):
    from soe_desktop.gui.app import create_window

    window = create_window([], config_dir=isolated_app_dirs / "config", open_sample=False,
                           overrides={"data_dir": str(tmp_path / "lib"), "offline": True})
    qtbot.addWidget(window)
    try:
        assert window.settings.data_path == tmp_path / "lib" and window.settings.offline
        assert (tmp_path / "lib" / "soe.db").exists()
        saved = json.loads((isolated_app_dirs / "config" / "settings.json").read_text())
        assert saved["data_dir"] == "" and saved["offline"] is False
    finally:
        window.shutdown()
        window.close()
        window.store.close()


def test_files_given_on_the_command_line_are_queued_like_a_drop(make_window, small_protocol):
    path, _ = small_protocol
    window = make_window(paths=[str(path)])
    assert [entry.path for entry in window.queue.model.entries] == [str(path)]
    assert window.recent_files() == [str(path)]


def test_self_test_option_exits_with_the_report(monkeypatch):
    class Report:
        ok = False

    monkeypatch.setattr("soe_desktop.core.app.self_test.run_self_test", lambda echo: Report())
    assert main(["--self-test"]) == 1
    Report.ok = True
    assert main(["--self-test"]) == 0


def test_the_tour_shows_on_first_start_and_steps_through_its_tips(make_window):
    window = make_window()
    tour = window.help.tour
    assert tour.isVisible() and tour.parent() is window
    assert tour.step.text() == f"Tip 1 of {len(TIPS)}" and not tour.back.isEnabled()
    titles = [tour.title.text()]
    for _ in TIPS[1:]:
        tour.next.click()
        titles.append(tour.title.text())
    assert titles == [tip.title for tip in TIPS] and not tour.next.isEnabled()
    assert tour.close_button.text() == "Done"
    tour.back.click()
    assert tour.title.text() == TIPS[-2].title
    # it sits inside the window, in its bottom-right corner, clear of the edges
    assert tour.geometry().right() < window.width() and tour.geometry().bottom() < window.height()


def test_the_tour_is_not_modal(make_window, qtbot):
    window = make_window()
    assert window.help.tour.isVisible() and not window.help.tour.isModal()
    assert window.isEnabled()


def test_closing_without_the_box_brings_the_tips_back_next_time(make_window):
    window = make_window()
    window.help.tour.close_button.click()
    assert not window.help.tour.isVisible()
    assert make_window().help.tour.isVisible()


def test_dont_show_again_is_remembered_and_help_brings_the_tips_back(make_window, isolated_app_dirs):
    window = make_window()
    window.help.tour.dont_show.setChecked(True)
    window.help.tour.close_button.click()
    assert tour_dismissed(QSettings(str(isolated_app_dirs / "config" / "gui.ini"), QSettings.Format.IniFormat))
    again = make_window()
    assert not again.help.tour.isVisible()
    _help_action(again, "Show &tips").trigger()
    assert again.help.tour.isVisible() and again.help.tour.step.text().startswith("Tip 1 of")


def _help_action(window, text):
    menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Help")
    return next(action for action in menu.actions() if action.text() == text)


def test_help_menu_has_the_guide_tips_data_folder_backup_and_about(make_window):
    window = make_window()
    for text in ("&User guide", "Show &tips", "Open &data folder", "&Back up the library…", "&About SoE Desktop"):
        assert _help_action(window, text) is not None
    assert window.menuBar().actions()[-1].text() == "&Help"


def test_user_guide_opens_from_the_package_with_its_pictures(make_window, qtbot):
    from soe_desktop.gui.dialogs.user_guide import guide_resource

    assert guide_resource().is_file(), "the guide must ship inside the package"
    window = make_window()
    _help_action(window, "&User guide").trigger()
    guide = window.help.guide
    assert guide.isVisible() and not guide.isModal()
    text = guide.browser.toPlainText()
    assert "Schedule of Events" in text and "Triage a batch" in text
    pictures = [name for name in guide.browser.document().allFormats() if name.isImageFormat()]
    assert pictures, "the guide's screenshots are shown"
    for picture in pictures:
        image = guide.browser.document().resource(2, picture.toImageFormat().name())  # 2: ImageResource
        assert image is not None and not image.isNull(), picture.toImageFormat().name()


def test_the_packaged_guide_is_the_one_in_docs():
    from soe_desktop.gui.dialogs.user_guide import guide_resource
    docs = (REPO_ROOT / "docs" / "USER_GUIDE.md").read_text(encoding="utf-8")
    assert guide_resource().read_text(encoding="utf-8") == docs, \
        "docs/USER_GUIDE.md changed: run  python docs/screenshots/make_screenshots.py --copy-guide"


def test_about_names_version_data_folder_active_model_and_licences(make_window, qtbot):
    from soe_desktop.gui.dialogs.about_dialog import AboutDialog

    window = make_window()
    dialog = AboutDialog(window.settings.data_path, window.store, window)
    qtbot.addWidget(dialog)
    text = dialog.findChild(QLabel, "about_summary").text()
    assert __version__ in text and str(window.settings.data_path) in text
    assert "offline teacher" in text  # no student yet
    parts = {dialog.parts.item(row, 0).text(): dialog.parts.item(row, 2).text() for row in range(dialog.parts.rowCount())}
    assert parts["Qt for Python (PySide6) and Qt"].startswith("LGPL")
    assert parts["pdfplumber"] == "MIT"
    assert all(dialog.parts.item(row, 1).text() for row in range(dialog.parts.rowCount()))  # versions read


def test_about_names_the_active_model(make_window, qtbot, tiny_student):
    from soe_desktop.core.training.registry import ModelRegistry
    from soe_desktop.gui.dialogs.about_dialog import active_model_text

    window = make_window()
    registry = ModelRegistry(window.store, window.settings.models_dir)
    registry.register(tiny_student, activate=True)
    assert active_model_text(window.store).startswith(tiny_student.version)


def test_help_backs_up_the_library_off_the_gui_thread(make_window, qtbot, tmp_path):
    from soe_desktop.core.store.backup import manifest_path, read_backup_state

    window = make_window()
    target = tmp_path / "backups" / "mine.db"
    worker = window.help.back_up_to(target)
    assert not window.help.backup_action.isEnabled()  # one at a time
    qtbot.waitUntil(lambda: window.help.backup_action.isEnabled(), timeout=30_000)
    assert worker is not None and target.is_file() and manifest_path(target).is_file()
    assert read_backup_state(target)["schema"]  # a sound library
    assert str(target) in window.statusBar().currentMessage()
