"""Human labels weighted as gold: `TrainingArguments.human_weight` scales their loss; a weight of 1
is the plain (class-weighted) loss, so nothing changes for runs that do not ask."""

import pytest
import torch

from soe_desktop.core.model import Label
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.dataset import build_training_set
from soe_desktop.core.training.fusion import candidate_logits
from soe_desktop.core.training.trainer import _example_weights, _weighted_mean, train

from .conftest import make_candidates, teacher_labels


def test_unit_weights_give_the_class_weighted_mean_loss():
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.3], [-1.0, 2.0], [0.1, 0.9]])
    targets = torch.tensor([0, 1, 1, 0])
    class_weights = torch.tensor([0.7, 1.6])
    mean = torch.nn.CrossEntropyLoss(weight=class_weights)(logits, targets)
    per_example = torch.nn.CrossEntropyLoss(weight=class_weights, reduction="none")(logits, targets)
    assert torch.allclose(_weighted_mean(per_example, targets, torch.ones(4), class_weights), mean)
    hardest = int(torch.argmax(per_example))
    weights = torch.ones(4)
    weights[hardest] = 5.0
    assert _weighted_mean(per_example, targets, weights, class_weights) > mean  # the hardest counts five times


def _human_and_teacher_set():
    candidates = make_candidates(n_documents=4, per_document=6)
    human = [Label(c.id, c.features["page_strong"] == 1.0, 1.0, "human:tester", id=1000 + i)
             for i, c in enumerate(candidates) if c.document_sha256 == "doc00"]
    return candidates, build_training_set(candidates, teacher_labels(candidates) + human, "human+teacher-filtered")


def test_human_examples_get_the_human_weight_and_teacher_examples_one():
    _, dataset = _human_and_teacher_set()
    assert _example_weights(dataset, TrainingArguments()) is None
    weights = _example_weights(dataset, TrainingArguments(human_weight=3.0))
    assert {w for w, e in zip(weights, dataset.examples) if e.is_human} == {3.0}
    assert {w for w, e in zip(weights, dataset.examples) if not e.is_human} == {1.0}


@pytest.mark.parametrize("head", ["features"])
def test_a_human_weight_changes_what_the_student_learns(head):
    candidates, dataset = _human_and_teacher_set()
    base = TrainingArguments(epochs=3, batch_size=8, seed=0, calibration_folds=0, validation_fraction=0.0,
                             device="cpu", head=head)
    outputs = []
    for weight in (1.0, 4.0):
        args = TrainingArguments(**{**base.to_dict(), "human_weight": weight})
        result = train(dataset, args)
        assert result.completed, result.error
        outputs.append(candidate_logits(result.model, result.tokenizer, candidates, args, torch.device("cpu")))
    assert not torch.allclose(outputs[0], outputs[1])
