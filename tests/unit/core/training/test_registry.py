import dataclasses
import json
import warnings
from pathlib import Path

import pytest
import torch
from peft import PeftModel

from soe_desktop.core.store import Store
from soe_desktop.core.training.base_model import load_classifier, load_encoder
from soe_desktop.core.training.fusion import HEAD_CONFIG_FILE, HEAD_WEIGHTS_FILE, candidate_logits, load_fused_model
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
def test_fused_student_folder_holds_a_standard_peft_adapter_and_reloads_identically(trained_result, registry):
    row = registry.register(trained_result)
    assert row["active"] and row["status"] == "completed" and row["args"]["head"] == "features+text"
    folder = registry.folder(trained_result.version)
    assert (folder / "adapter_config.json").exists() and (folder / "adapter_model.safetensors").exists()
    assert (folder / HEAD_WEIGHTS_FILE).exists() and (folder / HEAD_CONFIG_FILE).exists()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        PeftModel.from_pretrained(load_encoder(trained_result.base_model_path), str(folder))
    assert not [w for w in caught if "missing adapter keys" in str(w.message)]  # the adapter fits the encoder
    reloaded = load_fused_model(trained_result.base_model_path, folder)
    assert reloaded.scaler == trained_result.model.scaler
    candidates = make_candidates(n_documents=2, per_document=4, seed=9)
    cpu, args = torch.device("cpu"), trained_result.args
    before = candidate_logits(trained_result.model, trained_result.tokenizer, candidates, args, cpu, batch_size=8)
    after = candidate_logits(reloaded, trained_result.tokenizer, candidates, args, cpu, batch_size=8)
    assert torch.equal(before, after)
    assert row["args"]["max_tokens"] == 48 and row["dataset"]["examples"] == 36


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_text_head_folder_is_a_peft_classifier_with_identical_predictions(trained_text_result, registry):
    registry.register(trained_text_result)
    folder = registry.folder(trained_text_result.version)
    assert not (folder / HEAD_CONFIG_FILE).exists()
    reloaded = PeftModel.from_pretrained(load_classifier(trained_text_result.base_model_path), str(folder))
    texts = student_inputs(make_candidates(n_documents=2, per_document=4, seed=9))
    cpu = torch.device("cpu")
    before = predict_logits(trained_text_result.model, trained_text_result.tokenizer, texts, 48, 8, cpu)
    after = predict_logits(reloaded, trained_text_result.tokenizer, texts, 48, 8, cpu)
    assert torch.equal(before, after)


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


class _DiesWhileSaving:
    """A model whose save is interrupted after part of the folder was written."""

    def save_pretrained(self, folder: str) -> None:
        (Path(folder) / "adapter_model.safetensors").write_bytes(b"half")
        raise OSError("disk full")


def test_a_save_that_fails_half_way_leaves_no_row_no_folder_and_the_active_model_alone(trained_result, registry):
    registry.register(trained_result)
    broken = dataclasses.replace(trained_result, version="v-broken", model=_DiesWhileSaving())
    with pytest.raises(OSError):
        registry.register(broken, activate=True)
    assert registry.store.model("v-broken") is None
    assert not registry.folder("v-broken").exists()
    assert not list(registry.models_dir.glob("*.part"))
    assert registry.active()["version"] == trained_result.version


def test_the_folder_is_complete_before_the_row_names_it(trained_result, registry, monkeypatch):
    """What a kill between the two steps would see: the row is inserted only after the rename."""
    seen = {}
    add_model = registry.store.add_model

    def spy(**row):
        folder = Path(row["path"])
        seen.update(exists=folder.is_dir(), run=(folder / "run.json").exists(),
                    part=folder.with_name(folder.name + ".part").exists())
        add_model(**row)

    monkeypatch.setattr(registry.store, "add_model", spy)
    registry.register(dataclasses.replace(trained_result, version="v-order"), activate=False)
    assert seen == {"exists": True, "run": True, "part": False}


def test_the_gate_comparison_is_kept_in_the_row_the_folder_and_the_audit(trained_result, registry):
    registry.register(trained_result, activate=False)
    comparison = {"winner": "champion", "documents": 3, "method": "k-fold by document",
                  "challenger": {"f1": 0.8}, "champion": {"f1": 0.9}}
    row = registry.record_comparison(trained_result.version, comparison)
    assert row["metrics"]["promotion"] == comparison and row["metrics"]["validation"]  # earlier metrics kept
    assert json.loads((registry.folder(trained_result.version) / "promotion.json").read_text()) == comparison
    (entry,) = registry.store.audit_entries(action="model.compare")
    assert entry["details"]["page_f1"] == {"challenger": 0.8, "champion": 0.9}
