"""Load the active student before the first document needs it: after start-up and on activation.

The load happens in the student's own process (student_process.py), so the window only sends
one small request; a document dropped meanwhile waits for the load already under way instead of
starting another.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Slot

HEAVY_MODULES = ("torch", "transformers", "peft")


class StudentWarmUp(QObject):
    """Connects the window's start-up and the training panel's activation to `warm_active`."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._frozen: set[str] = set()
        window.start_up.ready.connect(self.warm_active)
        window.training_panel.model_activated.connect(self.warm_active)

    @Slot()
    @Slot(str)
    def warm_active(self, *_args) -> bool:
        """Ask the student process to load the store's active model; False when there is none."""
        self.freeze_heavy_imports()
        if self.window.queue.student.closed:  # start-up finished after the window was shut down
            return False
        active = self.window.store.active_model()
        if not active or not active.get("path") or not Path(active["path"]).is_dir():
            return False
        return self.window.queue.student.warm(active["path"])

    def freeze_heavy_imports(self) -> bool:
        """`gc.freeze()` once torch & co. are in this process, as start-up does for its imports.

        Activating a model in the training panel imports the model registry, which imports torch
        on the GUI thread (~140 000 objects). Left to the collector, a full collection walked them
        (~50 ms with the GIL held) and, triggered by the ingest worker, froze the window 60-70 ms
        mid-drop. Freezing is O(1); import-time objects live as long as the process anyway.
        """
        loaded = {name for name in HEAVY_MODULES if name in sys.modules}
        if not loaded - self._frozen:
            return False
        gc.freeze()
        self._frozen |= loaded
        return True
