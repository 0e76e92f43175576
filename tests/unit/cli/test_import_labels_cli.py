"""`soe import-labels PATH`: a summary line, unknown documents as notes, --undo, bad input as one line."""

from __future__ import annotations

from click.testing import CliRunner

from soe_desktop.cli import main
from soe_desktop.core.model import LabelKind
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from store_builders import fill_store


def run(settings: Settings, *args: str):
    return CliRunner().invoke(main, ["--db", str(settings.db_path), "import-labels", "-q", *args])


def test_import_prints_a_summary_and_undo_retracts_it(tmp_path):
    settings = Settings(data_dir=str(tmp_path))
    shas = fill_store(settings, n_documents=2, teacher_labels=True)
    path = tmp_path / "pages.csv"
    path.write_text("file,page,is_soe\ndoc0.pdf,1,true\ndoc0.pdf,4,false\nnowhere.pdf,2,true\n", encoding="utf-8")
    result = run(settings, str(path))
    assert result.exit_code == 0, result.output
    assert "pages.csv: 1 documents, 2 pages, 2 labels written, 0 skipped" in result.output
    assert "note: pages.csv:4: nowhere.pdf is not in the library (ingest it first); 1 page skipped" in result.output
    with Store(settings.db_path) as store:
        human = [label for label in store.effective_labels(shas[0]).values() if label.kind is LabelKind.HUMAN]
        assert len(human) == 2
    assert "0 labels written, 2 skipped" in run(settings, str(path)).output
    undone = run(settings, "--undo")
    assert undone.exit_code == 0 and "2 labels retracted" in undone.output
    with Store(settings.db_path) as store:
        assert not [label for label in store.effective_labels(shas[0]).values() if label.kind is LabelKind.HUMAN]


def test_bad_input_is_one_line(tmp_path):
    settings = Settings(data_dir=str(tmp_path))
    fill_store(settings, n_documents=1)
    result = run(settings, str(tmp_path / "missing.csv"))
    assert result.exit_code == 1 and result.output.strip().startswith("error:") and "no such file" in result.output
    assert run(settings).exit_code == 1
    assert "no label import to undo" in run(settings, "--undo").output
