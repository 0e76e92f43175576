"""Pick where to train and infer: CUDA, then Apple MPS, then CPU, unless the user says otherwise."""

from __future__ import annotations

import os
import resource
import sys

import torch

from soe_desktop.core.training.arguments import DEVICE_CHOICES


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(requested: str = "auto") -> torch.device:
    """`auto` takes the fastest available; an explicit choice that is not available is an error,
    so a user who asked for the GPU is never silently put on the CPU."""
    requested = (requested or "auto").lower()
    if requested not in DEVICE_CHOICES:
        raise ValueError(f"unknown device {requested!r}; expected one of {DEVICE_CHOICES}")
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but no CUDA GPU is available")
    if requested == "mps" and not mps_available():
        raise ValueError("device 'mps' was asked for but Apple MPS is not available")
    return torch.device(requested)


def peak_rss_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def reset_peak_memory(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_mb(device: torch.device) -> float:
    """Device memory peak on CUDA, else the process' peak RSS (what limits a laptop)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / (1024 * 1024)
    return peak_rss_mb()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
