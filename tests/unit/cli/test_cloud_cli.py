"""`soe label`, `soe filter-report`, `soe costs` against a temporary store and a fake Gemini server."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from soe_desktop.cli.cloud import COMMANDS
from soe_desktop.core.model import Label
from soe_desktop.core.settings import Settings
from soe_desktop.core.store import Store

from store_builders import fill_store  # noqa: E402  (same folder)


@click.group()
@click.pass_context
def cli(ctx):
    ctx.obj = ctx.obj or Settings()


for command in COMMANDS:
    cli.add_command(command)


def run(*args, settings=None, env=None):
    result = CliRunner().invoke(cli, [*args], obj=settings or Settings(), env=env)
    return result


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=str(tmp_path / "data"))


def stored(settings, source):
    store = Store(settings.db_path)
    try:
        return store.labels(source_prefix=source)
    finally:
        store.close()


def test_label_all_with_heuristic_teacher(settings):
    fill_store(settings)
    result = run("label", "--all", "--teacher", "heuristic", "-q", settings=settings)
    assert result.exit_code == 0, result.output
    assert "doc0.pdf: 6 heuristic" in result.output
    assert len(stored(settings, "heuristic")) == 12


def test_label_needs_pdfs_or_all(settings):
    result = run("label", settings=settings)
    assert result.exit_code != 0 and "--all" in result.output


def test_gemini_without_consent_sends_nothing_and_uses_the_offline_teacher(settings, fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    fill_store(settings, 1)
    result = run("label", "--all", "--teacher", "gemini", "-q", settings=settings)
    assert result.exit_code == 0, result.output
    assert fake.requests == []
    assert "stand-in for gemini" in result.output and "consent" in result.output
    assert stored(settings, "gemini") == []


def test_offline_setting_blocks_gemini_even_with_consent(settings, fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    settings.offline = True
    fill_store(settings, 1)
    result = run("label", "--all", "--teacher", "gemini", "--allow-cloud", "-q", settings=settings)
    assert result.exit_code == 0 and fake.requests == []
    assert "offline" in result.output


def test_missing_key_message(settings, fake):
    fill_store(settings, 1)
    result = run("label", "--all", "--teacher", "gemini", "--allow-cloud", "-q", settings=settings)
    assert result.exit_code == 0 and fake.requests == []
    assert "no Gemini API key" in result.output and "pending for Gemini" in result.output


def test_gemini_with_consent_labels_records_costs_and_never_pays_twice(settings, fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    shas = fill_store(settings)
    first = run("label", "--all", "--teacher", "gemini", "--allow-cloud", "--samples", "2", "-q", settings=settings)
    assert first.exit_code == 0, first.output
    labels = stored(settings, "gemini")
    assert len(labels) == 12 and {label.is_soe for label in labels} == {True, False}
    assert all(label.details["samples"] == 2 for label in labels)
    assert len(fake.requests) == 4  # 2 documents x 2 representations, one batch each
    store = Store(settings.db_path)
    assert all(store.cloud_consent(sha) for sha in shas)
    store.close()

    again = run("label", "--all", "--teacher", "gemini", "--relabel", "-q", settings=settings)
    assert again.exit_code == 0 and len(fake.requests) == 4  # all from the cache

    costs = run("costs", "--json", settings=settings)
    total = json.loads(costs.output)["total"]
    assert total["requests"] == 4 and total["cached_items"] == 24 and total["documents"] == 2
    assert total["input_tokens"] == 400 and total["cost_usd"] == pytest.approx((400 * 0.30 + 40 * 2.50) / 1e6)
    table = run("costs", settings=settings).output
    assert "doc0.pdf" in table and "total (2 documents)" in table
    assert "test-key-123" not in costs.output + table


def test_filter_report_from_store_with_human_labels(settings, tmp_path):
    fill_store(settings, 1)
    store = Store(settings.db_path)
    candidates = store.candidates()
    store.add_labels([Label(c.id, c.page <= 3, 0.95 if c.page % 2 else 0.7, "heuristic", agree=c.page != 6)
                      for c in candidates])
    store.add_labels([Label(c.id, c.page <= 2, 1.0, "human:ann") for c in candidates])
    store.close()
    out = tmp_path / "report"
    result = run("filter-report", "--source", "heuristic", "--threshold", "0.5", "--threshold", "0.9",
                 "--out", str(out), "--json", settings=settings)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {row["threshold"]: row for row in payload["rows"]}
    assert rows[0.5]["kept"] == 5 and rows[0.5]["precision"] == pytest.approx(4 / 5, abs=1e-3)
    assert rows[0.9]["kept"] == 3 and rows[0.9]["precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert (out / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    text = run("filter-report", "--source", "heuristic", "--out", str(out), "--compare-agreement",
               settings=settings).output
    assert "| 0.99 |" in text and "reliability diagram" in text
    with_agreement, without = text.split("without the agreement requirement:")
    assert "| 0.50 | 5/6 |" in with_agreement and "| 0.50 | 6/6 |" in without


def test_filter_report_without_labels_fails_with_a_hint(settings):
    fill_store(settings, 1)
    result = run("filter-report", settings=settings)
    assert result.exit_code == 1 and "soe label --teacher gemini" in result.output


def test_filter_report_on_a_labelled_corpus_folder(settings, tmp_path):
    from soe_desktop.core.synthetic import write_corpus_dir

    write_corpus_dir(tmp_path / "corpus", n_documents=2, seed=3)
    result = run("filter-report", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "out"),
                 "--json", settings=settings)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["source"] == "heuristic" and payload["with_human_label"] > 0
    assert payload["rows"][0]["precision"] is not None
    assert (tmp_path / "out" / "reliability.png").exists()


def test_label_new_pdf_with_gemini_ingests_and_stores_consent(settings, fake, monkeypatch, tmp_path):
    from soe_desktop.core.synthetic import write_protocol

    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    pdf = tmp_path / "protocol.pdf"
    write_protocol(pdf, seed=1, prose_pages=1, image_only_soe=False)
    result = run("label", str(pdf), "--teacher", "gemini", "--allow-cloud", "-q", settings=settings)
    assert result.exit_code == 0, result.output
    assert "protocol.pdf:" in result.output and " gemini" in result.output
    store = Store(settings.db_path)
    (document,) = store.documents()
    assert store.cloud_consent(document["sha256"])
    assert store.labels(source_prefix="gemini") and fake.requests
    store.close()


def test_label_reports_a_bad_pdf_and_exits_non_zero(settings, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    result = run("label", str(bad), "--teacher", "heuristic", "-q", settings=settings)
    assert result.exit_code == 1 and "not a PDF" in result.output


def test_gemini_labels_are_calibrated_once_twenty_human_labels_exist(settings, fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-123")
    fill_store(settings, 4)
    assert run("label", "--all", "--teacher", "gemini", "--allow-cloud", "-q", settings=settings).exit_code == 0
    assert all(label.details["calibration"] is None for label in stored(settings, "gemini"))
    store = Store(settings.db_path)
    # The humans disagree with Gemini on page 3 of every document: "0.9 SoE" is right 2 times in 3.
    store.add_labels([Label(c.id, c.page <= 2, 1.0, "human:ann") for c in store.candidates()])
    store.close()
    result = run("label", "--all", "--teacher", "gemini", "--relabel", "-q", settings=settings)
    assert result.exit_code == 0, result.output
    latest = stored(settings, "gemini")[-24:]
    assert {label.details["calibration"] for label in latest} == {"isotonic:24"}
    soe = [label for label in latest if label.is_soe]
    assert soe and all(label.confidence == pytest.approx(2 / 3, abs=1e-3) for label in soe)


def test_gemini_key_saves_to_the_keyring_without_echo(settings):
    import keyring

    from soe_desktop.core.labeling.keys import find_api_key

    class Memory(keyring.backend.KeyringBackend):
        priority = 1
        saved = {}

        def get_password(self, service, user):
            return self.saved.get((service, user))

        def set_password(self, service, user, password):
            self.saved[(service, user)] = password

        def delete_password(self, service, user):
            self.saved.pop((service, user))

    keyring.set_keyring(Memory())
    result = CliRunner().invoke(cli, ["gemini-key"], obj=settings, input="secret-abc\n")
    assert result.exit_code == 0 and "secret-abc" not in result.output
    assert find_api_key().value == "secret-abc"
    assert "key removed" in run("gemini-key", "--forget", settings=settings).output
    assert find_api_key() is None
