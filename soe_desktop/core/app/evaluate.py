"""Run a labeler over a corpus folder: scores for `soe evaluate` and the benchmarks, teacher labels
against the corpus truth for `soe filter-report --corpus`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from soe_desktop.core.errors import SoeError
from soe_desktop.core.evaluation.corpus import CorpusDocument, load_corpus
from soe_desktop.core.evaluation.metrics import CorpusEvaluation, evaluate_labelled
from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress
from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.labeling.selective_filter import corpus_truth
from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.pdf.analysis import analyse


@dataclass
class CorpusRun:
    """Scores of one labeler over a corpus, with the time spent and the documents that failed."""

    scores: CorpusEvaluation
    labeler: str
    pages_read: int
    seconds: float
    failures: dict[str, str] = field(default_factory=dict)  # document name -> one-line error

    @property
    def ms_per_page(self) -> float:
        return 1000.0 * self.seconds / self.pages_read if self.pages_read else 0.0


def evaluate_corpus(
    directory: str | Path,
    labeler: Labeler,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    documents: Optional[list[CorpusDocument]] = None,
    timer: Callable[[], float] = time.perf_counter,
) -> CorpusRun:
    """Analyse and label every document; a document that cannot be read is reported, not fatal."""
    progress = progress or no_progress
    corpus = documents if documents is not None else load_corpus(directory)
    labelled: dict[str, list[tuple[Candidate, Label]]] = {}
    failures: dict[str, str] = {}
    pages_read, seconds = 0, 0.0
    for index, document in enumerate(corpus):
        check(cancel)
        progress(Progress("evaluating", index, len(corpus), document.name))
        started = timer()
        try:
            analysis = analyse(document.pdf_path, cancel=cancel)
            labels = labeler.label(analysis.candidates, cancel=cancel) if analysis.candidates else []
        except SoeError as error:
            failures[document.name] = str(error)
            continue
        seconds += timer() - started
        pages_read += analysis.document.page_count
        labelled[document.name] = list(zip(analysis.candidates, labels))
    progress(Progress("evaluating", len(corpus), len(corpus)))
    scored = [doc for doc in corpus if doc.name not in failures]
    return CorpusRun(
        scores=evaluate_labelled(labelled, scored),
        labeler=labeler.name,
        pages_read=pages_read,
        seconds=seconds,
        failures=failures,
    )


def label_corpus(corpus_dir: str | Path, labeler: Labeler, progress=None, cancel=None, include_negatives: bool = True):
    """Analyse and label every corpus document: (teacher labels, truth per candidate, failures).

    Used by `soe filter-report --corpus` to draw the coverage/precision curve against the
    corpus' human page labels.
    """
    progress = progress or no_progress
    documents = load_corpus(corpus_dir, include_negatives=include_negatives)
    labels: list[Label] = []
    truth: dict[str, bool] = {}
    failures: dict[str, str] = {}
    for index, document in enumerate(documents):
        check(cancel)
        progress(Progress("labelling corpus", index, len(documents), document.name))
        try:
            analysis = analyse(document.pdf_path, cancel=cancel)
            labels += labeler.label(analysis.candidates, cancel=cancel) if analysis.candidates else []
        except SoeError as error:
            failures[document.name] = str(error)
            continue
        truth.update(corpus_truth(analysis.candidates, document.soe_pages, document.not_scored_pages))
    progress(Progress("labelling corpus", len(documents), len(documents)))
    return labels, truth, failures
