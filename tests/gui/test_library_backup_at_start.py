"""The app keeps rotating backups of the library: one per start, the newest N kept, none with 0."""

from __future__ import annotations

from soe_desktop.core.settings import Settings, load_settings, save_settings
from soe_desktop.core.store.backup import manifest_path, read_backup_state


def _backups(settings: Settings):
    return sorted(settings.backups_dir.glob("soe-*Z.db"))


def test_each_start_makes_a_backup_and_keeps_the_newest(make_window, qtbot, isolated_app_dirs):
    save_settings(Settings(backups_to_keep=2), isolated_app_dirs / "config")
    settings = load_settings(isolated_app_dirs / "config")
    made = set()
    for _ in range(3):
        window = make_window()
        qtbot.waitUntil(lambda: bool(set(_backups(settings)) - made), timeout=10000)
        made |= set(_backups(settings))
        window.shutdown()  # joins the backup worker, which prunes after writing
    seen = _backups(settings)
    assert len(made) == 3 and seen == sorted(made)[-2:]
    assert len(seen) == 2 and all(manifest_path(path).exists() for path in seen)
    assert read_backup_state(seen[-1])["schema"]  # a sound library


def test_no_backup_when_the_setting_is_zero(make_window, qtbot, isolated_app_dirs):
    save_settings(Settings(backups_to_keep=0), isolated_app_dirs / "config")
    window = make_window()
    qtbot.wait(300)
    window.shutdown()
    assert not load_settings(isolated_app_dirs / "config").backups_dir.exists()
