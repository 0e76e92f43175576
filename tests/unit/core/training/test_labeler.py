"""StudentLabeler: loads a registered model folder and labels offline, batched, calibrated."""

import socket

import pytest

from soe_desktop.core.labeling.base import Labeler
from soe_desktop.core.training.labeler import StudentLabeler
from soe_desktop.core.model import Candidate, Label
from soe_desktop.core.store import Store
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.dataset import build_training_set
from soe_desktop.core.training.registry import ModelRegistry
from soe_desktop.core.training.trainer import train


def _candidates(n_documents: int, per_document: int) -> list[Candidate]:
    out = []
    for d in range(n_documents):
        for page in range(1, per_document + 1):
            soe = page % 2 == 0
            rows = [["Assessment", "Screening", "Day 1", "Week 4"], ["Vital signs", "X", "X", "X"]] if soe else \
                [["Adverse event", "Grade 3", "Action"], ["Neutropenia", "< 1.0", "Hold dose"]]
            features = {"page_landscape": float(soe), "page_strong": float(soe), "page_mark_lines": 6.0 * soe}
            out.append(Candidate(f"d{d}-p{page}", f"d{d}", page, (0, 0, 1, 1), "pdfplumber", rows, features=features))
    return out


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory):
    candidates = _candidates(4, 6)
    labels = [Label(c.id, c.page % 2 == 0, 1.0, "human:test", id=i) for i, c in enumerate(candidates)]
    args = TrainingArguments(epochs=1, batch_size=8, max_tokens=32, learning_rate=3e-3, validation_fraction=0.25,
                             device="cpu", tune_threshold=True)
    result = train(build_training_set(candidates, labels, "human"), args)
    assert result.completed, result.error
    base = tmp_path_factory.mktemp("student")
    store = Store(base / "soe.db")
    ModelRegistry(store, base / "models").register(result)
    yield store, base / "models" / result.version, result
    store.close()


def test_labels_every_candidate_offline_with_its_version_as_source(model_folder, monkeypatch):
    store, folder, result = model_folder

    def no_network(*_args, **_kwargs):
        raise AssertionError("the student must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    labeler = StudentLabeler(folder, device="cpu", batch_size=4)
    assert isinstance(labeler, Labeler)
    candidates = _candidates(1, 10)
    reports = []
    labels = labeler.label(candidates, progress=reports.append)
    assert [label.candidate_id for label in labels] == [c.id for c in candidates]
    assert {label.source for label in labels} == {f"student:{result.version}"}
    assert all(label.confidence == pytest.approx(label.p_soe if label.is_soe else 1.0 - label.p_soe)
               for label in labels)
    assert [r.done for r in reports] == [4, 8, 10]  # batched
    assert labeler.temperature == result.temperature


def test_confidence_is_the_calibrated_probability_of_the_verdict(model_folder):
    _, folder, _ = model_folder
    labeler = StudentLabeler(folder, device="cpu")
    candidates = _candidates(1, 4)
    for label, p_soe in zip(labeler.label(candidates), labeler.probabilities(candidates)):
        assert label.p_soe == pytest.approx(p_soe)
        assert label.is_soe == (p_soe >= labeler.threshold)


def test_from_store_uses_the_active_model(model_folder):
    store, folder, result = model_folder
    assert StudentLabeler.from_store(store).version == result.version


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    from soe_desktop.core.errors import BadInputError

    with pytest.raises(BadInputError):
        StudentLabeler(tmp_path)


def test_default_student_is_fused_and_a_text_only_folder_from_before_still_loads(model_folder, tmp_path):
    import json

    from soe_desktop.core.training.fusion import FusedStudent
    from soe_desktop.core.training.registry import ARGS_FILE, save_model_folder

    _, folder, fused = model_folder
    assert isinstance(StudentLabeler(folder, device="cpu").model, FusedStudent)
    candidates = _candidates(4, 6)
    labels = [Label(c.id, c.page % 2 == 0, 1.0, "human:test", id=i) for i, c in enumerate(candidates)]
    args = TrainingArguments(**{**fused.args.to_dict(), "head": "text"})
    result = train(build_training_set(candidates, labels, "human"), args)
    old = save_model_folder(result, tmp_path / "old")
    raw = json.loads((old / ARGS_FILE).read_text())
    del raw["head"]  # what a folder written before the fused head existed looks like
    (old / ARGS_FILE).write_text(json.dumps(raw))
    labeler = StudentLabeler(old, device="cpu")
    assert labeler.args.head == "text" and not isinstance(labeler.model, FusedStudent)
    probabilities = labeler.probabilities(_candidates(1, 4))
    assert len(probabilities) == 4 and all(0.0 <= p <= 1.0 for p in probabilities)


def _copy_with_run_record(folder, tmp_path, **changes):
    """A copy of a model folder whose run.json is edited (a missing value deletes the key)."""
    import json
    import shutil

    from soe_desktop.core.training.registry import RUN_FILE

    copy = shutil.copytree(folder, tmp_path / "copy")
    record = json.loads((copy / RUN_FILE).read_text())
    for key, value in changes.items():
        record.pop(key, None) if value is None else record.__setitem__(key, value)
    (copy / RUN_FILE).write_text(json.dumps(record))
    return copy


def test_tuned_threshold_is_saved_and_reloaded_with_identical_predictions(model_folder):
    import torch

    from soe_desktop.core.training.fusion import candidate_logits
    from soe_desktop.core.training.inference import soe_probabilities

    _, folder, result = model_folder
    labeler = StudentLabeler(folder, device="cpu")
    assert labeler.threshold == result.threshold == result.metrics["threshold"]
    candidates = _candidates(2, 6)
    logits = candidate_logits(result.model, result.tokenizer, candidates, result.args, torch.device("cpu"))
    in_memory = soe_probabilities(logits, result.temperature)
    labels = labeler.label(candidates)
    assert [label.p_soe for label in labels] == pytest.approx(in_memory, abs=1e-6)
    assert [label.is_soe for label in labels] == [p >= result.threshold for p in in_memory]
    assert all(label.details["threshold"] == result.threshold for label in labels)


def test_the_stored_threshold_decides_the_verdicts(model_folder, tmp_path):
    _, folder, _ = model_folder
    candidates = _candidates(1, 6)
    p_soe = StudentLabeler(folder, device="cpu").probabilities(candidates)
    cut = sorted(p_soe)[3]  # between the scores: the top three are SoE whatever 0.5 would say
    labeler = StudentLabeler(_copy_with_run_record(folder, tmp_path, threshold=cut), device="cpu")
    assert labeler.threshold == cut
    assert [label.is_soe for label in labeler.label(candidates)] == [p >= cut for p in p_soe]
    assert sum(label.is_soe for label in labeler.label(candidates)) == 3


def test_a_folder_saved_before_thresholds_were_tuned_decides_at_one_half(model_folder, tmp_path):
    _, folder, _ = model_folder
    labeler = StudentLabeler(_copy_with_run_record(folder, tmp_path, threshold=None), device="cpu")
    assert labeler.threshold == 0.5
    candidates = _candidates(1, 6)
    assert [label.is_soe for label in labeler.label(candidates)] == [p >= 0.5 for p in labeler.probabilities(candidates)]


def test_a_misread_page_gets_a_confidence_below_auto_accept_and_uncertain_below(model_folder, monkeypatch):
    """The student's calibrated 0.99 is about pages read plainly; on an OCR'd or sideways page the
    same score is lowered (core/labeling/uncertain_reading.py), so routing and review see it."""
    from soe_desktop.core.labeling.uncertain_reading import READING_UNCERTAIN
    from soe_desktop.core.settings import Settings

    _, folder, _ = model_folder
    labeler = StudentLabeler(folder, device="cpu")
    candidates = _candidates(1, 4)
    for candidate in candidates[2:]:
        candidate.features[READING_UNCERTAIN] = 1.0
    scores = [0.995, 0.002, 0.995, 0.002]
    monkeypatch.setattr(labeler, "probabilities", lambda *_args, **_kwargs: scores)
    plain_yes, plain_no, misread_yes, misread_no = labeler.label(candidates)
    settings = Settings()
    assert min(plain_yes.confidence, plain_no.confidence) >= settings.auto_accept_threshold
    assert (misread_yes.is_soe, misread_no.is_soe) == (plain_yes.is_soe, plain_no.is_soe)
    for label in (misread_yes, misread_no):
        assert label.confidence < settings.uncertain_threshold < settings.auto_accept_threshold
        assert label.details[READING_UNCERTAIN] is True and "left for review" in label.reason
