"""The main window: queue on the left, pages with overlays in the middle, review on the right,
training and dashboard in tabs. It only wires widgets to core calls and workers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QSplitter, QTabWidget

from soe_desktop.core.settings import Settings, save_settings
from soe_desktop.core.store.names import document_name
from soe_desktop.gui.dialogs.errors import show_error
from soe_desktop.gui.ingest_queue import IngestQueue
from soe_desktop.gui.models.queue_model import ACTIVE, CANCELLED, ERROR
from soe_desktop.gui.models.review_session import ReviewSession
from soe_desktop.core.app.review import review_state, reviewer
from soe_desktop.gui.startup import IngestGate, Step, StartUp, core_steps, freeze_loaded_objects
from soe_desktop.gui.student_warmup import StudentWarmUp
from soe_desktop.gui.views.grid_view import GridView
from soe_desktop.gui.window_menus import build_menus
from soe_desktop.gui.views.lazy_panel import LazyPanel
from soe_desktop.gui.views.page_view import OverlayBox, PdfPageView
from soe_desktop.gui.views.queue_panel import QueuePanel
from soe_desktop.gui.views.review_panel import ReviewPanel
from soe_desktop.gui.views.scroll_panel import vertically_scrolling
from soe_desktop.gui.views.thumbnails import ThumbnailStrip
from soe_desktop.gui.views.training_panel import TrainingPanel

REVIEW_TAB, TRAINING_TAB, DASHBOARD_TAB = 0, 1, 2


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, store, config_dir: Path | None = None) -> None:
        super().__init__()
        self.settings, self.store, self.config_dir = settings, store, config_dir
        self.setWindowTitle("SoE Desktop")
        self.setAcceptDrops(True)
        self.resize(1400, 880)
        self.gui_state = QSettings(str(self._state_file()), QSettings.Format.IniFormat)
        self.queue = IngestQueue(settings, parent=self)
        gate = IngestGate(self.queue.pool)  # documents wait until start-up has loaded the pipeline
        self.session = ReviewSession(store, reviewer(), self)
        self.open_sha = ""
        self.preview_key = 0  # queue key of the document shown while it is processed
        self._build_widgets()
        build_menus(self)
        self.start_up = StartUp(self, core_steps() + [Step("Starting… preparing the dashboard", self.dashboard.panel),
                                                     Step("Starting…", freeze_loaded_objects)], gate)
        self._connect()
        self.student_warm_up = StudentWarmUp(self)  # the active student loads in its process early
        self._load_library()
        self._on_start_up_message(self.start_up.message)

    def _state_file(self) -> Path:
        from soe_desktop.core.settings import default_config_dir

        return (self.config_dir or default_config_dir()) / "gui.ini"

    # ----- layout -----------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.page_view = PdfPageView()
        self.thumbnails = ThumbnailStrip()
        self.review_panel = ReviewPanel(self.session)
        review = QSplitter(Qt.Orientation.Horizontal)
        review.addWidget(self.thumbnails)
        self.grid_view = GridView(self.session)  # the selected SoE table's grid, under its page
        pages = QSplitter(Qt.Orientation.Vertical)
        pages.addWidget(self.page_view)
        pages.addWidget(self.grid_view)
        pages.setSizes([560, 300])
        review.addWidget(pages)
        review.addWidget(vertically_scrolling(self.review_panel))  # never squeezed on a short screen
        review.setStretchFactor(1, 3)
        review.setStretchFactor(2, 1)
        review.setSizes([150, 800, 420])
        self.training_panel = TrainingPanel(self.store, self.settings, self)
        self.dashboard = LazyPanel(self._make_dashboard, "Loading the dashboard…")
        self.tabs = QTabWidget()
        self.tabs.addTab(review, "Review")
        self.tabs.addTab(self.training_panel, "Train local model")
        self.tabs.addTab(self.dashboard, "Dashboard")
        self.setCentralWidget(self.tabs)
        self.queue_panel = QueuePanel(self.queue)
        dock = QDockWidget("Queue", self)
        dock.setObjectName("queue_dock")
        dock.setWidget(self.queue_panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [400], Qt.Orientation.Horizontal)
        self.status_text = QLabel("")
        self.statusBar().addWidget(self.status_text, 1)
        self.queue_hint = self.queue_panel.hint.text()

    def _make_dashboard(self):
        from soe_desktop.gui.views.dashboard import DashboardPanel  # matplotlib: ~0.7 s to import

        return DashboardPanel(self.store, self)

    def _connect(self) -> None:
        self.queue.document_ready.connect(self._on_document_ready)
        self.queue.candidates_found.connect(self._on_candidates_found)
        self.queue.model.dataChanged.connect(self._update_status)
        self.queue.model.dataChanged.connect(self._release_failed_preview)
        self.start_up.message_changed.connect(self._on_start_up_message)
        self.queue_panel.document_activated.connect(self.show_document)
        self.queue_panel.open_requested.connect(self.open_files)
        self.session.current_changed.connect(self._on_current_changed)
        self.session.labels_changed.connect(self._on_labels_changed)
        self.page_view.candidate_clicked.connect(self.session.select)
        self.page_view.page_clicked.connect(self.grid_view.select_at)
        self.grid_view.source_selected.connect(self.page_view.highlight_source)
        self.page_view.current_page_changed.connect(self.thumbnails.current_page)
        self.thumbnails.page_clicked.connect(self.page_view.go_to_page)
        self.training_panel.model_activated.connect(self._on_model_activated)
        self.tabs.currentChanged.connect(self._on_tab_changed)

    def _load_library(self) -> None:
        """Documents already in the store appear in the queue with their last status."""
        self.queue.show_library(self.store)

    def show_library(self) -> None:
        """The store's documents in the queue (after a library switch), numbers recomputed."""
        self._load_library()
        self._on_tab_changed(self.tabs.currentIndex())
        self._update_status()

    # ----- opening ------------------------------------------------------------------------------
    def add_paths(self, paths: list[str]) -> list[int]:
        """Queue PDFs (or folders) and remember them as recent."""
        allow_cloud = self._cloud_consent([str(p) for p in paths])
        keys = self.queue.add_paths([str(p) for p in paths], allow_cloud=allow_cloud)
        self.recent.remember(paths)
        if len(keys) == 1 and self.open_sha:
            self.show_nothing()  # one file opened: it is shown once stored (a batch leaves the open one)
        if keys and not self.open_sha:
            self._preview(keys[0])
        self._update_status()
        return keys

    def _cloud_consent(self, paths: list[str]) -> bool:
        """Ask before anything is sent to the cloud teacher (only when Gemini is the teacher)."""
        settings = self.settings
        if settings.teacher != "gemini" or settings.offline:
            return False
        if settings.cloud_consent_default:
            return True
        from soe_desktop.gui.dialogs.consent import ConsentDialog

        dialog = ConsentDialog([Path(p).name for p in paths], settings.gemini_model, self)
        allowed = bool(dialog.exec())
        if allowed and dialog.remember.isChecked():
            settings.cloud_consent_default = True
            save_settings(settings, self.config_dir)
        return allowed

    @Slot()
    def open_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open protocols", "", "PDF files (*.pdf)")
        if paths:
            self.add_paths(paths)

    @Slot()
    def open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of protocols")
        if folder:
            self.add_paths([folder])

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.add_paths(paths)
            event.acceptProposedAction()

    def recent_files(self) -> list[str]:
        return self.recent.paths()

    # ----- showing a document -------------------------------------------------------------------
    def _preview(self, key: int) -> None:
        """Show the pages of a just-dropped PDF at once; its boxes appear as the core finds them."""
        path = self.queue.model.entry(key).path
        self.preview_key = key
        if self.page_view.load(path):
            self.thumbnails.set_document(self.page_view.pdf)
            self.setWindowTitle(f"{Path(path).name} (processing…) — SoE Desktop")

    @Slot(int, list)
    def _on_candidates_found(self, key: int, candidates: list) -> None:
        """Unlabelled boxes for the previewed document while it is still being processed."""
        if self.open_sha or key != self.preview_key:
            return
        self.page_view.add_overlays([OverlayBox(c.id, c.page, c.bbox, c.group, "unlabelled", None) for c in candidates])

    @Slot(str)
    def _on_document_ready(self, sha256: str) -> None:
        if not self.open_sha and not self.queue.model.waits_for_other(self.preview_key, sha256):
            self.show_document(sha256)  # the previewed file, not one queued before it
        elif sha256 == self.open_sha:
            self.session.reload_labels()  # keep the user's place in the document
        self._on_tab_changed(self.tabs.currentIndex())

    @Slot()
    def _release_failed_preview(self, *_args) -> None:
        """A previewed PDF that failed or was cancelled is let go (not held open); the next
        document still in the queue is previewed instead."""
        entry = self.queue.model.entry(self.preview_key) if self.preview_key and not self.open_sha else None
        if entry is None or entry.status not in (ERROR, CANCELLED):
            return
        self.show_nothing()
        waiting = next((e for e in self.queue.model.entries if e.status in ACTIVE), None)
        if waiting is not None:
            self._preview(waiting.key)

    def show_nothing(self) -> None:
        """No document on screen (and no PDF file held open)."""
        self.page_view.clear()
        self.thumbnails.clear()
        self.open_sha, self.preview_key = "", 0
        self.session.load("")
        self.setWindowTitle("SoE Desktop")

    @Slot(str)
    def show_document(self, sha256: str) -> None:
        document = self.store.document(sha256)
        pages = self.store.pages(sha256) if document else []
        if not pages:
            return
        previewed = self._showing_preview_of(sha256, len(pages))
        if not (previewed and self.page_view.reopen(document["stored_path"])):  # let the user's file go
            if not self.page_view.load(document["stored_path"]):
                show_error(self, "Cannot show the PDF", f"{document['filename']}: QtPdf could not open the stored copy.")
                return
            self.thumbnails.set_document(self.page_view.pdf)
        self.open_sha = sha256
        self.setWindowTitle(f"{document_name(document)} — SoE Desktop")
        self._image_only = [page.number for page in pages if not page.has_text_layer]
        self.page_view.flag_image_only(self._image_only, read_by_ocr=[page.number for page in pages if page.ocr])
        self.page_view.flag_unreadable({page.number: page.unreadable for page in pages if page.unreadable})
        if document.get("repaired"):
            self.statusBar().showMessage(f"{document['filename']} was damaged: it was repaired with qpdf and the "
                                         "repaired copy is shown", 15000)
        self.session.load(sha256)
        self.queue_panel.select_sha(sha256)

    def _showing_preview_of(self, sha256: str, page_count: int) -> bool:
        """The view already shows these bytes (the drop's preview): laying out and rendering the
        stored copy again would cost ~40 ms of GUI thread for a 150-page protocol."""
        entry = self.queue.model.entry(self.preview_key) if self.preview_key and not self.open_sha else None
        return entry is not None and entry.sha256 == sha256 and self.page_view.page_count == page_count

    def overlay_boxes(self) -> list[OverlayBox]:
        boxes = []
        for candidate in self.session.candidates:
            label = self.session.label(candidate.id)
            boxes.append(OverlayBox(candidate.id, candidate.page, candidate.bbox, candidate.group,
                                    review_state(label), None if label is None else label.confidence))
        return boxes

    @Slot()
    def _on_labels_changed(self) -> None:
        self.page_view.set_overlays(self.overlay_boxes())
        self.thumbnails.set_marks(self.session.soe_pages(), getattr(self, "_image_only", []))
        self._refresh_queue_row()
        self._update_status()

    def _refresh_queue_row(self) -> None:
        document = self.store.document(self.open_sha) if self.open_sha else None
        entry = self.queue.model.by_sha(self.open_sha) if self.open_sha else None
        if document and entry and entry.status in ("needs review", "done"):
            self.queue.model.update(entry.key, status=document["status"], soe_pages=self.session.soe_pages())

    @Slot(str)
    def _on_current_changed(self, candidate_id: str) -> None:
        self.page_view.select_candidate(candidate_id)

    @Slot()
    def _update_status(self, *_args) -> None:
        counts = self.queue.model.counts()
        queue = ", ".join(f"{n} {status}" for status, n in counts.items()) or "queue empty"
        review = self.session.counts().text if self.open_sha else ""
        self.status_text.setText(" · ".join(part for part in (self.start_up.message, queue, review) if part))

    @Slot(str)
    def _on_start_up_message(self, message: str) -> None:
        """While starting, the queue says so (documents wait), then it shows its usual hint."""
        self.queue_panel.hint.setText(f"{message} – dropped PDFs are processed in a moment" if message
                                      else self.queue_hint)
        self._update_status()

    # ----- other panels -------------------------------------------------------------------------
    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        """Dashboard and training numbers are recomputed only when they are on screen."""
        if index == DASHBOARD_TAB:
            self.dashboard.refresh()
        elif index == TRAINING_TAB:
            self.training_panel.refresh_dataset()

    @Slot(str)
    def _on_model_activated(self, _version: str) -> None:
        """Redraw the dashboard now only when it is on screen (its matplotlib redraw held the GUI
        thread 140-270 ms); otherwise showing its tab refreshes it."""
        if self.tabs.currentIndex() == DASHBOARD_TAB:
            self.dashboard.refresh()

    @Slot()
    def show_training(self) -> None:
        self._show_tab(TRAINING_TAB)

    @Slot()
    def show_dashboard(self) -> None:
        self._show_tab(DASHBOARD_TAB)

    def _show_tab(self, index: int) -> None:
        if self.tabs.currentIndex() == index:
            self._on_tab_changed(index)  # already there: refresh anyway
        else:
            self.tabs.setCurrentIndex(index)

    @Slot()
    def open_settings(self) -> None:
        from soe_desktop.gui.data_folder import apply_settings, busy_reason
        from soe_desktop.gui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self, data_folder_busy=busy_reason(self))
        if dialog.exec():
            apply_settings(self, dialog.result_settings())

    @Slot()
    def shutdown(self) -> None:
        """Cancel and wait for workers before Qt objects go away (no 'QThread destroyed while running')."""
        self.queue.shutdown()
        self.training_panel.shutdown()
        self.exports.shutdown()
        self.imports.shutdown()
        self.grid_view.shutdown()
        self.help.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
