"""LoRA fine-tuning of the local student, model registry, device choice.

arguments (TrainingArguments), dataset (training sets from labels, split by document), inputs (the
student's text: layout-cue prefix + representation), trainer (train -> TrainResult), registry
(ModelRegistry: save/list/activate/export/delete), device (cuda > mps > cpu), inference (batched
logits, temperature calibration), base_model (packaged MiniLM by default), features (standardised
layout-cue vectors), fusion (the student that joins them to the pooled embedding before its head).
Importing this package does not import torch; the modules that need it do.
"""
