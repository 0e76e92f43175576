import pytest
import torch
from peft import PeftModel

from soe_desktop.core.store import Store
from soe_desktop.core.training.base_model import load_classifier
from soe_desktop.core.training.inference import predict_logits
from soe_desktop.core.training.inputs import student_inputs
from soe_desktop.core.training.registry import ModelRegistry
from soe_desktop.core.training.trainer import TrainResult

from .conftest import make_candidates


@pytest.fixture
def registry(tmp_path):
    store = Store(tmp_path / "soe.db")
    yield ModelRegistry(store, tmp_path / "models")
    store.close()


@pytest.mark.filterwarnings("ignore::FutureWarning")  # peft uses a transformers API that v5 deprecates
def test_saved_adapter_is_a_standard_peft_folder_with_identical_predictions(trained_result, registry):
    row = registry.register(trained_result)
    assert row["active"] and row["status"] == "completed"
    folder = registry.folder(trained_result.version)
    assert (folder / "adapter_config.json").exists() and (folder / "adapter_model.safetensors").exists()
    reloaded = PeftModel.from_pretrained(load_classifier(trained_result.base_model_path), str(folder))
    texts = student_inputs(make_candidates(n_documents=2, per_document=4, seed=9))
    cpu = torch.device("cpu")
    before = predict_logits(trained_result.model, trained_result.tokenizer, texts, 48, 8, cpu)
    after = predict_logits(reloaded, trained_result.tokenizer, texts, 48, 8, cpu)
    assert torch.equal(before, after)
    assert row["args"]["max_tokens"] == 48 and row["dataset"]["examples"] == 36


def test_failed_and_cancelled_runs_are_recorded_but_never_active(trained_result, registry):
    registry.register(trained_result)
    for status in ("failed", "cancelled"):
        run = TrainResult(status=status, version=f"v-{status}", args=trained_result.args, error="boom")
        row = registry.register(run, activate=True)
        assert row["status"] == status and not row["active"] and row["path"] == ""
        with pytest.raises(ValueError):
            registry.activate(run.version)
    assert registry.active()["version"] == trained_result.version
    assert len(registry.list()) == 3


def test_export_and_delete(trained_result, registry, tmp_path):
    registry.register(trained_result)
    exported = registry.export(trained_result.version, tmp_path / "out.zip")
    assert exported.suffix == ".zip" and exported.stat().st_size > 10_000
    registry.delete(trained_result.version)
    assert registry.list() == [] and not registry.folder(trained_result.version).exists()
