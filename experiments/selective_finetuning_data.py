"""Data of the selective fine-tuning experiment: the pipeline's candidates per corpus document, page
rows for refitting the page model, near-miss candidates, corpus labels; all cached under /tmp
(the pipeline is the slow, deterministic part)."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from soe_desktop.core.evaluation.corpus import CorpusDocument
from soe_desktop.core.model import Candidate, Label

CACHE_DIR = Path("/tmp/soe_experiment_cache")


def _cache_path(document: CorpusDocument) -> Path:
    """Keyed by the PDF, by the page model's weights (refitting the page screen changes the candidates),
    by whether pictured pages are read by OCR (the engine is optional) and by the pipeline's second look."""
    from soe_desktop.core.pdf.page_model import WEIGHTS_PATH
    from soe_desktop.core.pdf.ocr import ocr_available
    from soe_desktop.core.settings import SECOND_LOOK_PAGES

    weights = hashlib.sha1(WEIGHTS_PATH.read_bytes()).hexdigest()
    ocr = ":ocr" if ocr_available() else ""
    look = f":look{SECOND_LOOK_PAGES}" if SECOND_LOOK_PAGES else ""
    key = hashlib.sha1(f"{document.name}:{document.pdf_path.stat().st_size}:{weights}{ocr}{look}".encode()).hexdigest()[:12]
    return CACHE_DIR / f"{key}.pkl"


def cached_candidates(document: CorpusDocument) -> list[Candidate]:
    """The pipeline's candidates for one PDF, computed once and pickled under /tmp."""
    path = _cache_path(document)
    if path.exists():
        return pickle.loads(path.read_bytes())
    from soe_desktop.core.pdf.analysis import analyse

    candidates = analyse(document.pdf_path).candidates
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(candidates))
    return candidates


def human_labels(document: CorpusDocument, candidates: list[Candidate]) -> list[Label]:
    """Corpus page labels as human labels; candidates on not-scored pages get none."""
    return [Label(c.id, c.page in document.soe_pages, 1.0, "human:corpus", id=i)
            for i, c in enumerate(candidates) if document.is_scored(c.page)]


def cached_page_rows(document: CorpusDocument):
    """Page text + features of every page (to refit the teacher's page model per fold), pickled under /tmp."""
    from soe_desktop.core.evaluation.page_model_fit import extract

    path = CACHE_DIR / f"pages-{_cache_path(document).stem}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    row = extract([document])[0]
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(row))
    return row


def cached_near_misses(document: CorpusDocument, row, count: int) -> list[Candidate]:
    """Candidates of the `count` text pages the shipped screen scored highest without opening them
    or giving them the pipeline's second look: more negatives for training only."""
    path = CACHE_DIR / f"near{count}-{_cache_path(document).stem}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    from contextlib import ExitStack

    from soe_desktop.core.pdf.candidates import PageReader, page_candidates
    from soe_desktop.core.pdf.features import page_scores, pages_to_examine, second_look
    from soe_desktop.core.pdf.ingest import open_document
    from soe_desktop.core.pdf.analysis import attach_page_features
    from soe_desktop.core.settings import SECOND_LOOK_PAGES

    scores = page_scores(row.pages, row.features)
    opened = set().union(*pages_to_examine(row.pages, scores, SECOND_LOOK_PAGES))
    chosen = sorted(second_look(row.pages, scores, opened, count))
    pdf = open_document(document.pdf_path)
    with ExitStack() as stack:
        reader = PageReader(Path(document.pdf_path), set(chosen), stack)
        found = [c for number in chosen for c in page_candidates(reader, pdf, row.pages, number, True)]
    attach_page_features(found, row.features, scores)
    path.write_bytes(pickle.dumps(found))
    return found


def filter_quality(items: list, threshold: float) -> dict:
    """Coverage of the selective filter and the accuracy of kept vs all teacher labels (vs corpus truth),
    over the experiment's CorpusItems."""
    from soe_desktop.core.labeling.selective_filter import passes_filter

    truth = {label.candidate_id: label.is_soe for item in items for label in item.human}
    scored = [label for item in items for label in item.teacher if label.candidate_id in truth]
    kept = [label for label in scored if passes_filter(label, threshold)]

    def accuracy(labels):
        return sum(label.is_soe == truth[label.candidate_id] for label in labels) / len(labels) if labels else 0.0

    return {"teacher_labels": len(scored), "kept": len(kept), "coverage": len(kept) / len(scored) if scored else 0.0,
            "accuracy_all": accuracy(scored), "accuracy_kept": accuracy(kept)}
