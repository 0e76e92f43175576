import pytest
import torch

from soe_desktop.core.training import device as device_module
from soe_desktop.core.training.device import peak_memory_mb, pick_device


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device("auto").type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "mps_available", lambda: True)
    assert pick_device("auto").type == "mps"
    monkeypatch.setattr(device_module, "mps_available", lambda: False)
    assert pick_device().type == "cpu"


def test_explicit_choice_is_honoured_or_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="cuda"):
        pick_device("cuda")
    with pytest.raises(ValueError, match="unknown device"):
        pick_device("tpu")


def test_peak_memory_is_reported_on_cpu():
    assert peak_memory_mb(torch.device("cpu")) > 10
