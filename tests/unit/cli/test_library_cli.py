"""`soe backup` and `soe restore` against a temporary library."""

import sqlite3

from test_audit_cli import _library, _soe  # same folder

from soe_desktop.core.model import Label
from soe_desktop.core.store import Store


def test_backup_then_restore_refuses_a_newer_library_without_force(tmp_path):
    settings, shas = _library()
    target = tmp_path / "backup.db"
    made = _soe("backup", str(target))
    assert made.exit_code == 0, made.output
    assert "13 labels" in made.stdout and target.exists() and (tmp_path / "backup.db.manifest.json").exists()
    with Store(settings.db_path) as store:
        store.add_labels([Label(f"{shas[1][-4:]}-2", False, 1.0, "human:bob")])
    refused = _soe("restore", str(target))
    assert refused.exit_code == 1 and "newer than the backup" in refused.stderr and "--force" in refused.stderr
    restored = _soe("restore", str(target), "--force")
    assert restored.exit_code == 0, restored.output
    assert "previous library was saved as" in restored.stdout
    conn = sqlite3.connect(settings.db_path)
    assert conn.execute("SELECT COUNT(*) FROM labels").fetchone()[0] == 13


def test_restore_of_a_file_that_is_no_backup_is_one_line(tmp_path):
    _library()
    (tmp_path / "x.db").write_text("hello")
    result = _soe("restore", str(tmp_path / "x.db"))
    assert result.exit_code == 1 and result.stderr.startswith("error: x.db: not a SoE Desktop library backup")
