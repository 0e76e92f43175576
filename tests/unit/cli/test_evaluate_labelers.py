"""`soe evaluate --labeler gemini`: Gemini itself (never the offline stand-in), only with consent and a key."""

from __future__ import annotations

import json

import click
from click.testing import CliRunner

from soe_desktop.cli.documents import evaluate
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store
from soe_desktop.core.synthetic import write_corpus_dir


@click.group()
def cli():
    pass


cli.add_command(evaluate)


def run(settings, *args):
    return CliRunner().invoke(cli, ["evaluate", *map(str, args)], obj=settings)


def test_gemini_needs_consent_and_sends_nothing_without_it(tmp_path, fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    result = run(Settings(data_dir=str(tmp_path)), tmp_path, "--labeler", "gemini", "-q")
    assert result.exit_code == 1 and "--allow-cloud" in result.output and fake.requests == []


def test_gemini_needs_a_key_and_offline_blocks_it(tmp_path, fake, monkeypatch):
    settings = Settings(data_dir=str(tmp_path))
    no_key = run(settings, tmp_path, "--labeler", "gemini", "--allow-cloud", "-q")
    assert no_key.exit_code == 1 and "no Gemini API key" in no_key.output
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    settings.offline = True
    offline = run(settings, tmp_path, "--labeler", "gemini", "--allow-cloud", "-q")
    assert offline.exit_code == 1 and "offline" in offline.output and fake.requests == []


def test_gemini_scores_the_folder_with_its_own_labels_and_records_the_cost(tmp_path_factory, fake, monkeypatch):
    folder = tmp_path_factory.mktemp("corpus") / "corpus"
    write_corpus_dir(folder, n_documents=1, seed=5)
    settings = Settings(data_dir=str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    result = run(settings, folder, "--labeler", "gemini", "--allow-cloud", "--json", "-q")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["labeler"] == "gemini" and payload["failures"] == {}
    assert payload["pages"]["protocols_with_soe"] == 1 and payload["pages"]["tp"] >= 1
    assert fake.requests and len(fake.requests) % 2 == 0  # each table in two representations
    store = Store(settings.db_path)
    try:
        assert store.ledger_summary()["requests"] == len(fake.requests)  # `soe costs` shows what it cost
    finally:
        store.close()
