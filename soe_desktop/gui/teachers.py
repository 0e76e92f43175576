"""Which labelers the ingest queue uses (no Qt: built inside the worker with the worker's Store).

- The teacher from Settings: the offline heuristic, or Gemini behind the privacy gate
  (offline setting, per-document consent, API key), which falls back to the heuristic.
- When a model version is active, the student also labels each new document; its label is the
  newest machine label, so the review shows it, and the teacher's label stays in the history.
  In the app it runs in a child process that keeps the model loaded (student_process.py): loading
  torch in the window's process froze the window for hundreds of ms.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from soe_desktop.core.settings import Settings
from soe_desktop.gui.review_actions import reviewer

LabelerFactory = Callable[[object], object]


def teacher_factory(settings: Settings, allow_cloud: bool) -> Optional[LabelerFactory]:
    """None for the offline teacher (the pipeline's default); else a factory taking the worker's Store."""
    if settings.teacher != "gemini":
        return None
    snapshot = replace(settings)  # the worker must not see later edits half-way

    def make(store):
        from soe_desktop.core.labeling.cloud_gate import teacher_for_store
        from soe_desktop.core.labeling.heuristic import HeuristicTeacher

        teacher = teacher_for_store(snapshot, store, HeuristicTeacher(), allow_cloud=allow_cloud)
        asked = teacher.consent

        def consent(sha256: str) -> bool:
            """Record the user's yes in the store (audited) the first time a document is sent."""
            allowed = asked(sha256)
            if allowed and allow_cloud and not store.cloud_consent(sha256):
                store.set_cloud_consent(sha256, True, actor=reviewer())
            return allowed

        teacher.consent = consent
        return teacher

    return make


def label_with_active_student(store, sha256: str, progress=None, cancel=None, student=None) -> int:
    """Append the active student's labels for a document; returns how many (0 without an active model).

    `student` (a StudentProcess) labels in its child process with the model kept loaded; without
    one the model is loaded here, in the calling thread (scripts, the CLI's way).
    """
    active = store.active_model()
    if active is None:
        return 0
    candidates = store.candidates(sha256)
    if not candidates:
        return 0
    if student is not None and active.get("path"):
        labels = student.label(active["path"], candidates, progress=progress, cancel=cancel)
    else:
        from soe_desktop.core.labeling.student import StudentLabeler

        labels = StudentLabeler.from_store(store).label(candidates, progress=progress, cancel=cancel)
    store.add_labels(labels)
    return len(labels)
