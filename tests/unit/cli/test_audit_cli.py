"""`soe audit` against a temporary library."""

import csv
import io

from click.testing import CliRunner
from store_builders import fill_store  # same folder

from soe_desktop.cli import main
from soe_desktop.core.model import Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store


def _soe(*args):
    return CliRunner().invoke(main, list(args))


def _library():
    settings = Settings()
    shas = fill_store(settings, 2, teacher_labels=True)
    with Store(settings.db_path) as store:
        store.add_labels([Label(f"{shas[0][-4:]}-1", False, 1.0, "human:alice", reason="rejected")])
    return settings, shas


def test_audit_lists_every_entry_and_filters_by_document():
    _settings, shas = _library()
    everything = _soe("audit")
    assert everything.exit_code == 0, everything.output
    assert everything.stdout.count("label.add") == 13 and everything.stdout.count("document.add") == 2
    one = _soe("audit", "--document", shas[0])
    assert one.exit_code == 0 and one.stdout.count("label.add") == 7
    assert "SoE -> not SoE  [human:alice]" in one.stdout
    assert _soe("audit", "--document", "doc1.pdf").stdout.count("label.add") == 6
    ambiguous = _soe("audit", "--document", shas[0][:10])  # both test sha256s start with zeros
    assert ambiguous.exit_code == 1 and "2 documents match" in ambiguous.stderr


def test_audit_csv_has_every_attribution_column():
    _settings, shas = _library()
    result = _soe("audit", "--csv", "--document", shas[0], "--since", "2000-01-01")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    human = next(row for row in rows if row["source"] == "human:alice")
    assert (human["old_value"], human["new_value"], human["document_sha256"]) == ("SoE", "not SoE", shas[0])
    assert human["app_version"] and human["label_id"] and '"reason": "rejected"' in human["details"]


def test_audit_refuses_bad_input_with_one_line():
    _library()
    for args in (["--since", "yesterday"], ["--document", "nothing.pdf"]):
        result = _soe("audit", *args)
        assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert "--since expects an ISO date" in _soe("audit", "--since", "yesterday").stderr
