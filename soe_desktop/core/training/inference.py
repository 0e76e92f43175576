"""Batched forward passes and temperature calibration, shared by the trainer and the StudentLabeler."""

from __future__ import annotations

import math
from typing import Optional, Sequence

import torch

from soe_desktop.core.jobs import CancelToken, Progress, ProgressCallback, check, no_progress


def encode(tokenizer, texts: Sequence[str], max_tokens: int, device: torch.device) -> dict:
    """Pad to the longest text of the batch (not to max_tokens): short candidates cost less."""
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
    return {key: value.to(device) for key, value in batch.items()}


def predict_logits(
    model,
    tokenizer,
    texts: Sequence[str],
    max_tokens: int,
    batch_size: int,
    device: torch.device,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    stage: str = "predicting",
    features: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """Logits (n, 2) on the CPU, in input order; the model is put in eval mode.

    `features` (n, k) rows go with the texts to a fused student (see fusion.py)."""
    progress = progress or no_progress
    model.eval()
    chunks: list[torch.Tensor] = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            check(cancel)
            batch = encode(tokenizer, texts[start : start + batch_size], max_tokens, device)
            if features is not None:
                batch["features"] = features[start : start + batch_size].to(device)
            chunks.append(model(**batch).logits.float().cpu())
            progress(Progress(stage, min(start + batch_size, len(texts)), len(texts)))
    return torch.cat(chunks) if chunks else torch.zeros((0, 2))


def soe_probabilities(logits: torch.Tensor, temperature: float = 1.0) -> list[float]:
    """P(SoE) after temperature scaling (class 1 = SoE)."""
    if logits.numel() == 0:
        return []
    return torch.softmax(logits / temperature, dim=-1)[:, 1].tolist()


def fit_temperature(logits: torch.Tensor, labels: Sequence[int]) -> float:
    """Temperature scaling (Guo et al. 2017) on held-out logits; 1.0 when it cannot be fitted.

    It changes confidences, never the predicted class, so it is safe on a small validation set.
    """
    targets = torch.tensor(list(labels), dtype=torch.long)
    if logits.shape[0] < 4 or len(set(targets.tolist())) < 2:
        return 1.0
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)
    loss_fn = torch.nn.CrossEntropyLoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(logits / log_t.exp(), targets)
        loss.backward()
        return loss

    optimizer.step(closure)
    temperature = float(log_t.exp().item())
    if not math.isfinite(temperature):
        return 1.0
    return min(max(temperature, 0.05), 20.0)
