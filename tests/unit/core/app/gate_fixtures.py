"""A small library for the promotion-gate tests: documents of SoE-like and look-alike candidates,
teacher labels on all of them, human decisions on some; and labelers that call exactly the pages
they are told to."""

from __future__ import annotations

from pathlib import Path

from soe_desktop.core.jobs import Progress
from soe_desktop.core.model import Candidate, Document, Label
from soe_desktop.core.store import Store
from soe_desktop.core.training.registry import read_run_record
from soe_desktop.core.training.trainer import TrainResult, new_version

PAGES = 6  # pages 1-3 hold SoE-like tables, 4-6 look-alikes


def sha_of(index: int) -> str:
    return f"{index:064x}"


def candidate(sha: str, page: int) -> Candidate:
    soe = page <= PAGES // 2
    rows = ([["Procedure", "Screening", "Day 1", "Week 4"], ["ECG", "X", "X", ""], [f"Vitals {page}", "X", "", "X"]]
            if soe else [["Dose level", "mg", "N"], ["A", "10", "3"], [f"B {page}", "20", "6"]])
    return Candidate(f"{sha[-6:]}-{page}", sha, page, (0, 0, 100, 100), "pdfplumber", rows,
                     context="Schedule of Activities" if soe else "Dose levels",
                     features={"page_landscape": float(soe)})


def build_library(path: Path, n_documents: int, reviewed: int,
                  human_truth=lambda page: page <= PAGES // 2) -> list[str]:
    """`n_documents` documents with agreeing, confident teacher labels; the first `reviewed` also get
    a human decision on every candidate (`human_truth(page)`). Returns the sha256s."""
    shas = []
    with Store(path) as store:
        for index in range(n_documents):
            sha = sha_of(index)
            store.add_document(Document(f"/tmp/p{index}.pdf", sha, PAGES), "", f"protocol {index}.pdf")
            candidates = [candidate(sha, page) for page in range(1, PAGES + 1)]
            store.replace_candidates(sha, candidates)
            store.add_labels([Label(c.id, c.page <= PAGES // 2, 0.95, "heuristic", agree=True) for c in candidates])
            if index < reviewed:
                store.add_labels([Label(c.id, human_truth(c.page), 1.0, "human:tester") for c in candidates])
            shas.append(sha)
    return shas


class PageLabeler:
    """Calls SoE exactly the pages `calls(sha256, page)` says."""

    def __init__(self, name: str, calls) -> None:
        self.name, self.calls = name, calls

    def label(self, candidates, progress=None, cancel=None) -> list[Label]:
        return [Label(c.id, bool(self.calls(c.document_sha256, c.page)), 0.9, self.name) for c in candidates]


def oracle(name: str = "oracle", truth=lambda page: page <= PAGES // 2) -> PageLabeler:
    return PageLabeler(name, lambda _sha, page: truth(page))


def contrarian(name: str = "contrarian", truth=lambda page: page <= PAGES // 2) -> PageLabeler:
    return PageLabeler(name, lambda _sha, page: not truth(page))


class _Saveable:
    def save_pretrained(self, folder: str) -> None:
        (Path(folder) / "weights.bin").write_bytes(b"fake")


class FakeRuns:
    """Stands in for the trainer and the student: records each run's documents; a loaded student
    calls pages as `calls[version]` says (default `default_calls`)."""

    def __init__(self) -> None:
        self.training_sets: list[set[str]] = []
        self.calls: dict[str, PageLabeler] = {}
        self.default_calls = oracle()
        self.status = "completed"

    def train(self, dataset, args, progress=None, cancel=None) -> TrainResult:
        self.training_sets.append(set(dataset.documents))
        if progress:
            progress(Progress("training", 1, 1, "epoch 1/1 loss 0.500", {"loss": 0.5}))
        return TrainResult(self.status, new_version(), args, dataset.summary(), model=_Saveable(),
                           tokenizer=_Saveable(), error="" if self.status == "completed" else "boom")

    def student(self, folder, device="auto"):
        version = read_run_record(folder)["version"]
        behaviour = self.calls.get(version, self.default_calls)
        return PageLabeler(f"student:{version}", behaviour.calls)


def install_fake_runs(monkeypatch, fake: FakeRuns) -> FakeRuns:
    """The training workflow trains and loads students through `fake` (a real run takes a minute)."""
    import soe_desktop.core.app.training as training

    monkeypatch.setattr(training, "train", fake.train)
    monkeypatch.setattr(training, "StudentLabeler", fake.student)
    return fake
