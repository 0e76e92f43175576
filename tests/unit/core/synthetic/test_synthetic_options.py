"""Options, determinism, speed, the labels.json format and the corpus folder layout."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from soe_desktop.core.synthetic import write_corpus_dir, write_protocol

CORPUS = Path(os.environ.get("SOE_CORPUS_DIR", Path(__file__).resolve().parents[4] / ".." / "shared" / "corpus"))
CORPUS_LABELS = sorted(CORPUS.glob("*/labels.json")) if CORPUS.is_dir() else []


def test_same_seed_gives_same_bytes_and_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    truth_a = write_protocol(a, seed=3, prose_pages=2)
    truth_b = write_protocol(b, seed=3, prose_pages=2)
    write_protocol(c, seed=4, prose_pages=2)
    assert a.read_bytes() == b.read_bytes()
    assert truth_a == truth_b
    assert a.read_bytes() != c.read_bytes()


def test_prose_pages_sets_the_length(tmp_path):
    short = write_protocol(tmp_path / "short.pdf", seed=1, prose_pages=0)
    long = write_protocol(tmp_path / "long.pdf", seed=1, prose_pages=25)
    assert long.page_count - short.page_count == 25
    assert long.soe_pages[:2] == short.soe_pages[:2], "the main grid stays in section 1.3"


def test_without_soe_there_are_no_positive_pages(tmp_path, read_texts):
    path = tmp_path / "none.pdf"
    truth = write_protocol(path, seed=2, prose_pages=3, include_soe=False)
    assert truth.soe_pages == truth.rotated_soe_pages == truth.image_only_pages == truth.group_pages == []
    assert truth.notes_only_pages == []
    assert len(truth.negative_table_pages) == 7
    texts = read_texts(path)
    assert not any("Visit Window" in text for text in texts)
    assert any("separate document" in text for text in texts), "the SoA section points to an addendum"


def test_image_only_page_is_optional(tmp_path, read_texts):
    path = tmp_path / "no_image.pdf"
    truth = write_protocol(path, seed=5, prose_pages=1, image_only_soe=False)
    assert truth.image_only_pages == []
    assert all(text.strip() for text in read_texts(path))


def test_bad_mark_style_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_protocol(tmp_path / "x.pdf", mark_style="stars")


def test_thirty_page_protocol_is_fast(tmp_path):
    start = time.perf_counter()
    truth = write_protocol(tmp_path / "fast.pdf", seed=9, prose_pages=12)
    elapsed = time.perf_counter() - start
    assert truth.page_count >= 28
    assert elapsed < 2.0, f"{elapsed:.2f} s for {truth.page_count} pages"


def test_labels_json_uses_corpus_keys(tmp_path):
    labels = write_protocol(tmp_path / "p.pdf", seed=0, prose_pages=1).to_labels_json()
    for key in ("pdf", "pages_1based", "soa_table_pages", "soa_notes_only_pages", "secondary_schedule_pages",
                "hard_negative_pages", "confidence"):
        assert key in labels
    assert labels["soa_table_pages"] and labels["hard_negative_pages"]
    json.dumps(labels)  # serialisable as is


@pytest.mark.skipif(not CORPUS_LABELS, reason="needs ../shared/corpus")
def test_labels_json_has_every_key_of_a_real_labels_file(tmp_path):
    real = json.loads(CORPUS_LABELS[0].read_text())
    labels = write_protocol(tmp_path / "p.pdf", seed=0, prose_pages=1).to_labels_json()
    assert set(real) <= set(labels)


def test_corpus_dir_layout(tmp_path, read_texts):
    pdfs = write_corpus_dir(tmp_path / "corpus", n_documents=3, seed=1)
    assert len(pdfs) == 3 and len({p.parent for p in pdfs}) == 3
    soe_counts = []
    for pdf in pdfs:
        labels = json.loads((pdf.parent / "labels.json").read_text())
        assert pdf.name == labels["pdf"] == "protocol.pdf"
        assert len(read_texts(pdf)) == labels["page_count"]
        soe_counts.append(len(labels["soa_table_pages"]))
    assert soe_counts[0] > 0 and soe_counts[1] > 0 and soe_counts[-1] == 0
