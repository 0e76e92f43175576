"""Train local model: see the training set, start, watch loss/ETA/device, cancel, compare, activate.

A worker on the panel's own pool runs `core.app.training.train_and_register` in a child process
(see child_process.py), so the window stays usable: it trains, registers the model version and
compares it with the active labeler (the promotion gate). Activation is the user's choice: plain
when the new model won the comparison, behind a warning when it did not. The training-data view
is counted on a worker too (core/app/training_data.py).
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from soe_desktop.core.app.promotion import CHECKING
from soe_desktop.core.app.training_data import TrainingDataView, training_data_view
from soe_desktop.core.errors import BadInputError
from soe_desktop.core.jobs import Progress
from soe_desktop.core.store import Store
from soe_desktop.core.training.arguments import (DEFAULT_SOURCE, FEATURES_HEAD, HEAD_TITLES, TRAINING_SOURCES,
                                                 TrainingArguments)
from soe_desktop.core.training.registry import ModelRegistry
from soe_desktop.gui.child_process import training_in_child
from soe_desktop.gui.views.epochs_box import EpochsField
from soe_desktop.gui.views.gate_view import ComparisonView
from soe_desktop.gui.views.loss_plot import LossPlot
from soe_desktop.gui.views.training_data_box import TrainingDataBox
from soe_desktop.gui.workers import Worker, WorkerPool

MODEL_COLUMNS = ("Version", "Status", "Examples", "Val. F1", "Val. precision", "Val. recall", "Active")


def training_available() -> str:
    """'' when the training stack is installed, else a message saying what is missing.

    Checked with find_spec so the window does not pay torch's import time (seconds) at start-up.
    """
    needed = ("torch", "transformers", "peft", "soe_desktop.core.training.trainer",
              "soe_desktop.core.training.registry", "soe_desktop.core.training.dataset")
    try:
        missing = [name for name in needed if importlib.util.find_spec(name) is None]
    except ModuleNotFoundError as error:
        missing = [str(error)]
    if missing:
        return f"Training is not available in this install (missing: {', '.join(missing)}). Install the 'train' extra."
    return ""


def activation_task(db_path, models_dir, version: str):
    """The core task that makes `version` active, on its own connection to the library."""

    def task(_progress, _cancel) -> str:
        with Store(db_path) as store:
            try:
                ModelRegistry(store, Path(models_dir)).activate(version)
            except ValueError as error:  # a failed or cancelled run: the user's mistake, said plainly
                raise BadInputError(str(error)) from error
        return version

    return task


def training_data_task(db_path, source: Optional[str], threshold: float):
    """The core task that counts what a run on (source, threshold) would learn from (source None:
    the library's default)."""

    def task(_progress, _cancel) -> TrainingDataView:
        with Store(db_path) as store:
            return training_data_view(store, source, threshold)

    return task


def contenders_text(contenders: list[dict]) -> str:
    """The click's other runs, which the gate did not choose (they stay in the model list)."""
    parts = []
    for other in contenders:
        f1 = ((other.get("comparison") or {}).get("challenger") or {}).get("f1")
        head = (other.get("row") or {}).get("args", {}).get("head", "?")
        parts.append(f"{other['version']} ({head}" + (f", gate page F1 {f1:.3f})" if f1 is not None else ")"))
    return "; also trained " + ", ".join(parts) if parts else ""


def _metric(row: dict, name: str) -> str:
    value = (row.get("metrics") or {}).get("validation", {}).get(name)
    return "–" if value is None else f"{value:.3f}"


class TrainingPanel(QWidget):
    model_activated = Signal(str)
    run_finished = Signal(dict)

    def __init__(self, store, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.settings = store, settings
        # Two threads: making a model active must not wait for a training run to end.
        self.pool = WorkerPool(max_threads=2, parent=self)
        self.activation: Worker | None = None
        self.worker: Worker | None = None
        self.last_run: dict | None = None
        self.args_overrides: dict = {}  # e.g. a tiny config from tests and benchmarks
        self.dataset_size: int | None = None  # examples in the chosen set, once counted
        self.data_view: TrainingDataView | None = None
        self._data_request = 0  # only the latest count is shown (the user may change the choice quickly)
        # Until the user picks a source, the panel follows the library's default: reviews + filtered
        # teacher labels as soon as there is a review, so one click learns from the corrections.
        self.source_chosen = False
        self.unavailable = training_available()
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self._build_setup(), 1)
        top.addWidget(self._build_run(), 2)
        layout.addLayout(top, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self._build_models(), 1)
        self.comparison = ComparisonView(self.pool, lambda sha: (self.store.document(sha) or {}).get("stored_path"))
        self.comparison.activate_requested.connect(self.activate)
        bottom.addWidget(self.comparison, 1)
        layout.addLayout(bottom, 2)
        self.refresh_dataset()

    # ----- layout ------------------------------------------------------------------------------
    def _build_setup(self) -> QWidget:
        box = QGroupBox("Training set")
        form = QFormLayout(box)
        self.source = QComboBox()
        self.threshold = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, decimals=2)
        self.threshold.setValue(self.settings.filter_threshold)
        self.epochs = EpochsField(TrainingArguments.epochs)  # its range shown; 300 is not read as 30
        self.head = QComboBox()
        for head, title in HEAD_TITLES.items():
            self.head.addItem(title, head)
        self.head.currentIndexChanged.connect(self._on_head_changed)
        # The paper's student as a contender: it always trains where the training child finds a GPU;
        # on a CPU (minutes instead of seconds) only when ticked. The gate picks among them.
        self.with_lora = QCheckBox("Also train the transformer (LoRA) and let the gate choose")
        self.with_lora.setToolTip("Always done when a GPU is present; on a CPU it adds a few minutes.")
        if not self.unavailable:
            self.source.addItems(list(TRAINING_SOURCES))
            self.source.setCurrentText(DEFAULT_SOURCE)
        self.source.currentTextChanged.connect(self._on_choice_changed)
        self.source.activated.connect(self._on_source_picked)
        self.threshold.valueChanged.connect(self._on_choice_changed)
        form.addRow("Labels from", self.source)
        form.addRow("Filter threshold", self.threshold)
        form.addRow("Model", self.head)
        form.addRow(self.with_lora)
        form.addRow("Epochs", self.epochs)
        self.data_box = TrainingDataBox()
        form.addRow(self.data_box)
        self.start_button = QPushButton("Start training")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        self.message = QLabel(self.unavailable)
        self.message.setWordWrap(True)
        form.addRow(self.message)
        return box

    def _build_run(self) -> QWidget:
        box = QGroupBox("Run")
        layout = QVBoxLayout(box)
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.status = QLabel("Not started")
        self.plot = LossPlot()
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.plot, 1)
        return box

    def _build_models(self) -> QWidget:
        box = QGroupBox("Model versions")
        layout = QVBoxLayout(box)
        self.models = QTableWidget(0, len(MODEL_COLUMNS))
        self.models.setHorizontalHeaderLabels(MODEL_COLUMNS)
        self.models.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.models.horizontalHeader().setStretchLastSection(True)
        self.models.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.models.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.models.itemSelectionChanged.connect(self._on_model_selected)
        self.activate_button = QPushButton("Make selected model active")
        self.activate_button.clicked.connect(self.activate_selected)
        layout.addWidget(self.models)
        layout.addWidget(self.activate_button, 0, Qt.AlignmentFlag.AlignRight)
        return box

    # ----- data --------------------------------------------------------------------------------
    @Slot()
    def _on_choice_changed(self, *_args) -> None:
        self.refresh_dataset()

    @Slot(int)
    def _on_source_picked(self, _index: int) -> None:
        # Qt emits currentTextChanged before activated: count again now that the pick is the user's.
        self.source_chosen = True
        self.refresh_dataset()

    @Slot()
    def refresh_dataset(self) -> None:
        """Count the chosen training set on a worker; Start waits for a non-empty count."""
        self.refresh_models()
        self.start_button.setEnabled(False)
        if self.unavailable:
            return
        self._data_request += 1
        request = self._data_request
        source = self.source.currentText() if self.source_chosen else None  # None: the library's default
        self.pool.run(training_data_task(self.store.path, source, self.threshold.value()),
                      name="count training set", finished=lambda view: self._on_counted(request, view),
                      failed=self.data_box.show_error)

    def _on_counted(self, request: int, view: TrainingDataView) -> None:
        if request != self._data_request:
            return  # an older choice's count
        self.data_view, self.dataset_size = view, view.examples
        if not self.source_chosen and view.source != self.source.currentText():
            self.source.blockSignals(True)  # the default itself, not a new choice to count again
            self.source.setCurrentText(view.source)
            self.source.blockSignals(False)
        self.data_box.show_view(view)
        self.start_button.setEnabled(self.worker is None and view.examples > 0)

    def refresh_models(self) -> None:
        rows = self.store.models()
        self.models.setRowCount(len(rows))
        for r, row in enumerate(reversed(rows)):
            values = (row["version"], row["status"], str((row.get("dataset") or {}).get("train_examples", "–")),
                      _metric(row, "f1"), _metric(row, "precision"), _metric(row, "recall"),
                      "● active" if row["active"] else "")
            for c, value in enumerate(values):
                self.models.setItem(r, c, QTableWidgetItem(value))

    # ----- run ---------------------------------------------------------------------------------
    def training_arguments(self):
        args = TrainingArguments.for_head(self.head.currentData(), base_model=self.settings.base_model,
                                          epochs=self.epochs.value())
        return replace(args, **self.args_overrides)

    @Slot()
    def _on_head_changed(self) -> None:
        """Each model kind starts from the epochs it was measured with."""
        self.epochs.setValue(TrainingArguments.for_head(self.head.currentData()).epochs)
        self.with_lora.setEnabled(self.head.currentData() == FEATURES_HEAD)  # a LoRA head trains alone

    @Slot()
    def start(self) -> None:
        problem = (self.unavailable or ("A run is already in progress." if self.worker is not None else "")
                   or self.epochs.out_of_range())
        if problem:
            self.message.setText(problem)
            return
        task = training_in_child(self.settings, self.source.currentText(), self.threshold.value(),
                                 self.training_arguments(), with_lora=True if self.with_lora.isChecked() else None)
        self.plot.clear()
        self.progress.setRange(0, 1)  # a new run starts empty, whatever scale the last one reported
        self.progress.setValue(0)
        # The last run's comparison is not about this run: were it left, a cancel would leave its
        # "Make active anyway…" under a run that made no model.
        self.comparison.show_comparison(None, None)
        self.status.setText("Starting the training process and loading the base model…")
        self.message.setText("")
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.worker = self.pool.run(task, name="training", progress=self._on_progress, finished=self._on_finished,
                                    failed=self._on_failed, cancelled=self._on_cancelled, ended=self._on_ended)

    @Slot()
    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText("Cancelling after the current batch…")

    def is_running(self) -> bool:
        return self.worker is not None

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        self.progress.setMaximum(max(progress.total, 1))
        self.progress.setValue(progress.done)
        extra = progress.extra or {}
        if "loss" in extra and progress.stage != CHECKING:  # the gate's check runs have their own steps
            self.plot.add_point(progress.done, float(extra["loss"]))
        eta = extra.get("eta_seconds")
        parts = [progress.message or progress.stage]
        if eta is not None:
            parts.append(f"ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        if "device" in extra:
            parts.append(f"device {extra['device']}")
        self.status.setText(" · ".join(parts))

    @Slot(object)
    def _on_finished(self, outcome: dict) -> None:
        self.last_run = outcome
        if outcome["status"] == "completed":
            validation = outcome["metrics"].get("validation") or {}
            scores = ", ".join(f"{k} {validation[k]:.2f}" for k in ("precision", "recall", "f1") if validation.get(k) is not None)
            self.status.setText(f"Done in {outcome['seconds']:.0f} s on {outcome['device']}: model "
                                f"{outcome['version']}" + (f" (validation {scores})" if scores else "")
                                + contenders_text(outcome.get("contenders") or []))
            self.progress.setValue(self.progress.maximum())  # the gate's last step may not report 100 %
            self.comparison.show_comparison(outcome["version"], outcome.get("comparison"))
            self.message.setText("Compared with the active labeler below: make it active from there.")
        else:
            self.status.setText(f"Run {outcome['status']}" + (f": {outcome['error']}" if outcome["error"] else ""))
        self.refresh_models()
        self.run_finished.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.last_run = {"status": "failed", "error": message}
        self.status.setText(f"Training failed: {message}")
        self.run_finished.emit(self.last_run)

    @Slot()
    def _on_cancelled(self) -> None:
        """The run stopped before the child could record it (the window is closing)."""
        self.last_run = {"status": "cancelled", "error": ""}
        self.status.setText("Run cancelled")
        self.run_finished.emit(self.last_run)

    @Slot()
    def _on_ended(self) -> None:
        self.worker = None
        self.cancel_button.setEnabled(False)
        self.refresh_dataset()

    @Slot()
    def activate_selected(self) -> None:
        rows = self.models.selectionModel().selectedRows()
        if not rows:
            self.message.setText("Select a model version first.")
            return
        self._on_model_selected()
        self.comparison.request_activation()  # warns first when the gate did not choose the model

    @Slot()
    def _on_model_selected(self) -> None:
        """The selected version's stored comparison (the registry keeps it in the row's metrics)."""
        rows = self.models.selectionModel().selectedRows()
        if not rows:
            return
        row = self.store.model(self.models.item(rows[0].row(), 0).text())
        if row is not None:
            self.comparison.show_comparison(row["version"], (row.get("metrics") or {}).get("promotion"),
                                            active=row["active"])

    @Slot(str)
    def activate(self, version: str) -> Worker | None:
        """Make `version` the active model on a worker (a store write can wait behind an ingest
        writing to the library); the button is off meanwhile. `model_activated` says when done."""
        if self.activation is not None:
            self.message.setText("A model is already being made active.")
            return None
        self.activate_button.setEnabled(False)
        self.message.setText(f"Making model {version} active…")
        self.activation = self.pool.run(activation_task(self.store.path, self.settings.models_dir, version),
                                        name="activate model", finished=self._on_activated,
                                        failed=self.message.setText, ended=self._on_activation_ended)
        return self.activation

    def _on_activated(self, version: str) -> None:
        self.message.setText(f"Model {version} is now active.")
        self.refresh_models()
        if self.comparison.version == version:
            self.comparison.make_active.setEnabled(False)
        self.model_activated.emit(version)

    def _on_activation_ended(self) -> None:
        self.activation = None
        self.activate_button.setEnabled(True)

    def shutdown(self) -> None:
        self.pool.shutdown()
