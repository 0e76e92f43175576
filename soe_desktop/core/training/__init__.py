"""LoRA fine-tuning of the local student, model registry, device choice."""
