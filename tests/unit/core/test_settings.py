import json

from soe_desktop.core.settings import Settings, load_settings, save_settings, settings_file


def test_round_trip_and_defaults(tmp_path):
    settings = Settings(teacher="gemini", filter_threshold=0.9)
    save_settings(settings, tmp_path)
    loaded = load_settings(tmp_path)
    assert loaded.teacher == "gemini" and loaded.filter_threshold == 0.9
    assert load_settings(tmp_path / "missing").teacher == "heuristic"


def test_unknown_keys_and_corrupt_files_do_not_break_startup(tmp_path):
    settings_file(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    settings_file(tmp_path).write_text(json.dumps({"teacher": "gemini", "removed_option": 1}))
    assert load_settings(tmp_path).teacher == "gemini"
    settings_file(tmp_path).write_text("{not json")
    assert load_settings(tmp_path) == Settings()


def test_db_path_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("SOE_DESKTOP_DB", str(tmp_path / "x.db"))
    assert Settings().db_path == tmp_path / "x.db"
    monkeypatch.delenv("SOE_DESKTOP_DB")
    monkeypatch.setenv("SOE_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    assert Settings().db_path == tmp_path / "data" / "soe.db"


def test_api_key_is_not_a_setting():
    assert not any("key" in name for name in Settings.__dataclass_fields__)
