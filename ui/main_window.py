"""The main window: the document list beside the article, menus, status bar.

The window owns the ``Database`` handle and is the only widget that calls the core; the
list and the article get plain values and report back through their signals, which are
wired here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.search.corpus import search_documents
from annotator.store.documents import (
    document_row,
    get_document,
    list_documents,
    next_unfinished,
    progress,
)
from annotator.store.projects import DEFAULT_PROJECT, list_annotators, load_schema
from ui.common.annotator_prompt import ask_annotator_name, save_annotator
from ui.common.elided_label import ElidedLabel
from ui.common.settings import app_settings
from ui.documents.panel import DocumentList
from ui.io.export_dialog import ExportDialog
from ui.io.import_dialog import ImportDialog
from ui.review.chooser import choose_annotators
from ui.review.pane import ReviewPane
from ui.review.refresh import AUTO_REFRESH_SECONDS, by_id, describe_changes
from ui.review.report import AgreementReportDialog
from ui.schema.dialog import LabelSchemaDialog
from ui.tagging.controller import TaggingController
from ui.tagging.menu import TaggingMenus
from ui.tagging.pane import ArticlePane, empty_state_html
from ui.tagging.pending import PendingBanner
from ui.tagging.side_panel import SidePanel

DEFAULT_SIZE = QSize(1280, 800)


def default_annotator() -> str:
    """The system user name, for a window opened without one."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "annotator"

SPLIT_SHARES = (0.25, 0.53, 0.22)  # list, article, side panel
Shortcut = QKeySequence | QKeySequence.StandardKey | str


class MainWindow(QMainWindow):
    """Browse a project's documents, read them right to left and tag them.

    ``annotator`` is whose spans the view shows and edits, and whose statuses and span
    counts the list shows; :meth:`set_annotator` switches (None: the system user name).
    """

    def __init__(
        self,
        db: Database,
        project_id: int,
        project_name: str = DEFAULT_PROJECT,
        annotator: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.project_id = project_id
        self.project_name = project_name
        self.annotator = annotator or default_annotator()
        self.setWindowTitle(f"annotator \u2014 {db.location}")

        self.document_list = DocumentList(
            self, text_search=partial(search_documents, db, project_id)
        )
        self.article = ArticlePane(self)
        self.tagging = TaggingController(
            db, self.article.view, self.annotator, load_schema(db, project_id), self
        )
        self.side_panel = SidePanel(self.tagging, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.document_list)
        self.splitter.addWidget(self.article)
        self.splitter.addWidget(self.side_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.stack = QStackedWidget(self)  # the tagging splitter, or a review pane
        self.stack.addWidget(self.splitter)
        self.review_pane: ReviewPane | None = None
        # Over everything: changes the database refused for now, until they are saved.
        self.pending_banner = PendingBanner(self.tagging.pending, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pending_banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._create_status_bar()
        self._create_actions()
        self.menus = TaggingMenus(
            self,
            self.tagging,
            mark_done_and_next=self.mark_done_and_next,
            next_unfinished=self.next_unfinished,
            edit_schema=self.edit_schema,
            switch_annotator=self.switch_annotator,
        )
        self.tagging.document_changed.connect(self._refresh_row)
        self.tagging.open_requested.connect(self.open_document)
        self.tagging.message.connect(self.show_message)
        self.article.view.selection_changed.connect(self._show_selection)
        self.document_list.document_selected.connect(self.show_document)
        self.document_list.counts_changed.connect(self._show_counts)
        self.document_list.text_search_started.connect(self._text_search_started)
        self.document_list.text_search_finished.connect(self._text_search_finished)
        self.article.view.zoom_changed.connect(self._show_zoom)

        self.refreshed_at = time.monotonic()  # the last read of what others saved
        self._restore_settings()
        self.reload_documents()

    # -- building ----------------------------------------------------------------------

    def _create_status_bar(self) -> None:
        bar = self.statusBar()
        self.annotator_status = QLabel(self)
        self.progress_status = QLabel(self)
        self.selection_status = QLabel(self)
        self.document_status = QLabel(self)
        self.count_status = QLabel(self)
        self.zoom_status = QLabel(self)
        self.location_status = ElidedLabel(self.db.location, self)
        bar.addWidget(self.annotator_status)
        bar.addWidget(self.document_status)
        bar.addWidget(self.selection_status, 1)
        for label in (self.progress_status, self.count_status, self.zoom_status,
                      self.location_status):
            label.setContentsMargins(10, 0, 10, 0)  # the bar's own gaps are a few pixels
            bar.addPermanentWidget(label)
        self.zoom_status.setToolTip("Reading size (Ctrl++, Ctrl+-, Ctrl+0)")
        self._show_zoom(self.article.view.zoom)

    def _create_actions(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self._action("&Import\u2026", ["Ctrl+I"], self.import_files))
        file_menu.addAction(self._action("&Export\u2026", ["Ctrl+E"], self.export_project))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", ["Ctrl+Q"], self.close))

        go_menu = menus.addMenu("&Go")
        go_menu.addAction(
            self._action("&Next Document", ["Alt+Down", "Ctrl+PgDown"], self.next_document)
        )
        go_menu.addAction(
            self._action("&Previous Document", ["Alt+Up", "Ctrl+PgUp"], self.previous_document)
        )
        go_menu.addSeparator()
        go_menu.addAction(
            self._action("&Filter Documents", ["Ctrl+F"], self.document_list.focus_filter)
        )

        view = self.article.view
        view_menu = menus.addMenu("&View")
        # Ctrl+= too: on most layouts "+" needs Shift, so Ctrl++ is really Ctrl+Shift+=.
        view_menu.addAction(
            self._action("Zoom &In", [QKeySequence.StandardKey.ZoomIn, "Ctrl+="], view.zoom_in)
        )
        view_menu.addAction(
            self._action("Zoom &Out", [QKeySequence.StandardKey.ZoomOut], view.zoom_out)
        )
        view_menu.addAction(self._action("&Actual Size", ["Ctrl+0"], view.reset_zoom))
        view_menu.addSeparator()
        view_menu.addAction(
            self._action("&Refresh", [QKeySequence.StandardKey.Refresh], self.refresh)
        )

        review_menu = menus.addMenu("&Review")
        self.agreement_report_action = self._action(
            "&Agreement Report\u2026", [], self.show_agreement_report
        )
        review_menu.addAction(self.agreement_report_action)
        self.review_action = self._action(
            "&Review Annotators\u2026", ["Ctrl+Shift+R"], self.start_review
        )
        review_menu.addAction(self.review_action)
        self.leave_review_action = self._action("&Leave Review Mode", [], self.stop_review)
        self.leave_review_action.setEnabled(False)
        review_menu.addAction(self.leave_review_action)

    def _action(
        self, text: str, shortcuts: Sequence[Shortcut], slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        keys: list[QKeySequence] = []
        for shortcut in shortcuts:
            if isinstance(shortcut, QKeySequence.StandardKey):
                keys.extend(QKeySequence.keyBindings(shortcut))
            else:
                keys.append(QKeySequence(shortcut))
        action.setShortcuts(keys)
        # Window-wide, so the keys work whether the list, the filter or the article has
        # the focus.
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- documents ---------------------------------------------------------------------

    def reload_documents(self) -> None:
        """Read the document list again; the open document stays open when it is still
        listed, else the first one opens (or the empty state)."""
        current = self.current_document_id()
        rows = list_documents(self.db, self.project_id, self.annotator)
        self.document_list.set_rows(rows)
        self._show_progress()
        if not rows:
            self.article.show_empty(
                empty_state_html(
                    self.db.location, self.project_name, self.project_name == DEFAULT_PROJECT
                )
            )
            self.document_status.clear()
            return
        if current is None or not self.document_list.select_document(current):
            self.document_list.select_first()
        # Start in the list, so the arrow keys move through documents at once.
        self.document_list.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self, *, quiet: bool = False) -> None:
        """View ▸ Refresh (F5): read again what others saved in the database (the list
        rows; the open document's spans, or in review mode the pane's layers and queue),
        keeping the open document, its selection and the scroll position; the status
        bar says what changed (``quiet``: only when something did)."""
        self.refreshed_at = time.monotonic()
        before = {self.annotator: by_id(self.document_list.rows())}
        rows = list_documents(self.db, self.project_id, self.annotator)
        if not before[self.annotator]:
            self.reload_documents()  # the first documents: open one
        else:
            self.document_list.refresh_rows(rows)
            self._show_progress()
        if self.review_pane is not None:
            self.review_pane.refresh(quiet=quiet)
            return
        if self.tagging.document_id is not None:
            self.tagging.reload()
        said = describe_changes(before, {self.annotator: by_id(rows)})
        if said or not quiet:
            self.show_message(f"Refreshed: {said or 'nothing new'}")

    def set_annotator(self, annotator: str | None) -> None:
        """Show and edit ``annotator``'s spans; the list shows their statuses."""
        self.annotator = annotator or default_annotator()
        self.tagging.set_annotator(self.annotator)
        current = self.current_document_id()
        self.reload_documents()
        if current is not None:
            self.document_list.select_document(current)

    def show_document(self, document_id: int) -> None:
        """Open a document in the article view, with this annotator's spans."""
        document = get_document(self.db, document_id)
        self.article.show_article(document.name, document.text)
        self.tagging.open(document_id)
        self.document_status.setText(f"{document.name} \u2014 {len(document.text):,} characters")

    def open_document(self, document_id: int) -> None:
        """Show a document, selecting it in the list when the filter lets it show."""
        if not self.document_list.select_document(document_id):
            self.show_document(document_id)

    def mark_done_and_next(self) -> None:
        """Mark the open document done and open the next one this annotator has not."""
        current = self.current_document_id()
        if current is None:
            return
        self.tagging.set_status(Status.DONE)
        following = next_unfinished(self.db, self.project_id, self.annotator, current)
        if following is None:
            self.statusBar().showMessage("All documents are done", 8000)
        else:
            self.open_document(following)

    def next_unfinished(self) -> None:
        following = next_unfinished(
            self.db, self.project_id, self.annotator, self.current_document_id()
        )
        if following is not None:
            self.open_document(following)

    def _refresh_row(self, document_id: int) -> None:
        self.document_list.update_row(document_row(self.db, document_id, self.annotator))
        self._show_progress()

    def _show_progress(self) -> None:
        done, total = progress(self.db, self.project_id, self.annotator)
        self.progress_status.setText(f"{done:,} of {total:,} done")
        self.annotator_status.setText(f"\u270e {self.annotator}")

    def edit_schema(self) -> None:
        """The label schema dialog; every change it saves shows everywhere at once."""
        dialog = LabelSchemaDialog(self.db, self.project_id, self)
        dialog.schema_changed.connect(self._schema_changed)
        dialog.exec()
        dialog.deleteLater()

    def import_files(self) -> None:
        """File ▸ Import…: files or folders into this project; the list reloads after."""
        dialog = ImportDialog(self.db, self.project_id, self.project_name, self,
                              annotator=self.annotator)
        dialog.imported.connect(self.reload_documents)
        dialog.exec()
        dialog.deleteLater()

    def export_project(self) -> None:
        """File ▸ Export…: the project's documents and spans in a format of choice."""
        dialog = ExportDialog(self.db, self.project_id, self)
        dialog.exec()
        dialog.deleteLater()

    def show_agreement_report(self) -> None:
        """Review ▸ Agreement Report…: figures and charts for chosen annotators."""
        chosen = choose_annotators(self, list_annotators(self.db), "Agreement report")
        if chosen:
            dialog = AgreementReportDialog(self.db, self.project_id, chosen, self)
            dialog.exec()
            dialog.deleteLater()

    def start_review(self) -> None:
        """Review ▸ Review Annotators…: adjudicate chosen annotators' spans into gold."""
        chosen = choose_annotators(self, list_annotators(self.db), "Review annotators")
        if chosen:
            self.stop_review()
            self.review_pane = ReviewPane(self.db, self.project_id, chosen, self.annotator,
                                          self.stack)
            self.review_pane.message.connect(self.show_message)
            self.stack.addWidget(self.review_pane)
            self.stack.setCurrentWidget(self.review_pane)
            self.leave_review_action.setEnabled(True)
            self._enable_document_actions(False)  # they act on the hidden tagging view

    def stop_review(self) -> None:
        """Back to tagging; the open document shows again with the gold spans' changes."""
        if self.review_pane is None:
            return
        self.stack.setCurrentWidget(self.splitter)
        self.stack.removeWidget(self.review_pane)
        self.review_pane.deleteLater()
        self.review_pane = None
        self.leave_review_action.setEnabled(False)
        self._enable_document_actions(True)
        if self.tagging.document_id is not None:
            self.tagging.reload()

    def _enable_document_actions(self, enabled: bool) -> None:
        for action in self.menus.document_menu.actions():
            action.setEnabled(enabled)

    def _schema_changed(self) -> None:
        schema = load_schema(self.db, self.project_id)
        self.tagging.set_schema(schema)
        self.menus.set_schema(schema)
        self.side_panel.set_schema(schema)

    def switch_annotator(self) -> None:
        """Ask for another annotator's name and show (and edit) their spans."""
        if self.tagging.has_pending("Switching annotator"):
            return
        name = ask_annotator_name(self, self.annotator, list_annotators(self.db))
        if name and name != self.annotator:
            save_annotator(name)
            self.set_annotator(name)

    def _text_search_started(self, query: str) -> None:
        self.show_message(f"Searching the texts for \u2068{query}\u2069\u2026")

    def _text_search_finished(self, query: str, found: int) -> None:
        if found < 0:
            self.show_message("The text search failed; the list matches names only")
        else:
            self.show_message(f"{found:,} documents contain \u2068{query}\u2069")

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _show_selection(self, start: int, end: int) -> None:
        if end <= start:
            self.selection_status.clear()
            return
        text = self.article.view.text()[start:end].replace("\n", " \u23ce ")
        shown = text if len(text) <= 60 else text[:59] + "\u2026"
        # An isolate keeps the Arabic selection from reordering the status bar around it.
        self.selection_status.setText(f"[{start}\u2013{end}] \u2068{shown}\u2069")

    def current_document_id(self) -> int | None:
        """The document open in the article, even while a filter hides its row."""
        return self.tagging.document_id

    def next_document(self) -> None:
        if self.review_pane is not None:
            self.review_pane.step(forward=True)
        else:
            self.document_list.select_next()

    def previous_document(self) -> None:
        if self.review_pane is not None:
            self.review_pane.step(forward=False)
        else:
            self.document_list.select_previous()

    def _show_counts(self, shown: int, total: int) -> None:
        noun = "document" if total == 1 else "documents"
        text = f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"
        self.count_status.setText(text)

    def _show_zoom(self, percent: int) -> None:
        self.zoom_status.setText(f"{percent}%")

    # -- settings ----------------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = app_settings()
        geometry = settings.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self._place_default()
        splitter = settings.value("window/panes")
        if not (isinstance(splitter, QByteArray) and self.splitter.restoreState(splitter)):
            width = self.width()
            self.splitter.setSizes([int(width * share) for share in SPLIT_SHARES])
        header = settings.value("documents/header")
        if isinstance(header, QByteArray):
            self.document_list.restore_header_state(header)
        zoom = settings.value("article/zoom", 100)
        self.article.view.set_zoom(int(zoom) if str(zoom).isdigit() else 100)

    def _place_default(self) -> None:
        # First run: the default size, shrunk to fit a small screen, centred.
        available = self.screen().availableGeometry()
        size = DEFAULT_SIZE.boundedTo(available.size() * 0.95)
        self.resize(size)
        self.move(available.center() - self.rect().center())

    def save_settings(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/panes", self.splitter.saveState())
        settings.setValue("documents/header", self.document_list.header_state())
        settings.setValue("article/zoom", self.article.view.zoom)
        settings.sync()

    def changeEvent(self, event: QEvent) -> None:
        """Back in the window after a while: read what others saved meanwhile."""
        super().changeEvent(event)
        if (event.type() == QEvent.Type.ActivationChange and self.isActiveWindow()
                and time.monotonic() - self.refreshed_at >= AUTO_REFRESH_SECONDS):
            self.refresh(quiet=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.tagging.may_close(self):
            event.ignore()
            return
        self.save_settings()
        super().closeEvent(event)
