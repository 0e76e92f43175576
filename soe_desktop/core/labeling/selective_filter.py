"""The paper's selective filter: keep only teacher labels that can be trusted for training."""

from __future__ import annotations

from typing import Iterable

from soe_desktop.core.model import Label


def passes_filter(label: Label, threshold: float, require_agreement: bool = True) -> bool:
    """A teacher label is kept when both representations agreed and its confidence reaches `threshold`."""
    if require_agreement and label.agree is not True:
        return False
    return label.confidence >= threshold


def filter_labels(labels: Iterable[Label], threshold: float, require_agreement: bool = True) -> list[Label]:
    """Teacher labels fit for training; human labels always pass (they are gold)."""
    return [
        label
        for label in labels
        if label.is_human or passes_filter(label, threshold, require_agreement)
    ]
