"""A student trained on a CUDA GPU: saved, reloaded on the GPU and on a CPU-only laptop, same predictions.

Skipped where no CUDA GPU is present (CI); run on a lent GPU machine (see docs/BENCHMARKS.md).
"""

import pytest
import torch

from soe_desktop.core.training.labeler import StudentLabeler
from soe_desktop.core.model import Label
from soe_desktop.core.store import Store
from soe_desktop.core.training.arguments import TrainingArguments
from soe_desktop.core.training.dataset import build_training_set
from soe_desktop.core.training.registry import ModelRegistry
from soe_desktop.core.training.trainer import train

from .conftest import make_candidates

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_gpu_trained_student_predicts_the_same_after_reload_on_gpu_and_cpu(tmp_path):
    from soe_desktop.core.training.fusion import candidate_logits
    from soe_desktop.core.training.inference import soe_probabilities

    candidates = make_candidates(n_documents=4)
    labels = [Label(c.id, c.features["page_strong"] == 1.0, 1.0, "human:test", id=i) for i, c in enumerate(candidates)]
    args = TrainingArguments(epochs=2, batch_size=8, max_tokens=32, learning_rate=3e-3, validation_fraction=0.25,
                             device="cuda", seed=0)
    result = train(build_training_set(candidates, labels, "human"), args)
    assert result.completed, result.error
    assert result.device.startswith("cuda") and result.peak_memory_mb > 0
    store = Store(tmp_path / "soe.db")
    ModelRegistry(store, tmp_path / "models").register(result)
    folder = tmp_path / "models" / result.version

    unseen = make_candidates(n_documents=2, seed=1)
    logits = candidate_logits(result.model, result.tokenizer, unseen, result.args, torch.device(result.device))
    in_memory = soe_probabilities(logits, result.temperature)
    on_gpu = StudentLabeler(folder, device="cuda").probabilities(unseen)
    on_cpu = StudentLabeler(folder, device="cpu").probabilities(unseen)
    assert on_gpu == pytest.approx(in_memory, abs=1e-5)
    assert on_cpu == pytest.approx(in_memory, abs=1e-4)  # GPU and CPU kernels round differently
    store.close()
