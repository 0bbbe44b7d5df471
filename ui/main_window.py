"""The main window: the document list beside the article, menus, status bar.

The window owns the ``Database`` handle and is the only widget that calls the core; the
list and the article get plain values and report back through their signals, which are
wired here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QWidget

from annotator.db.engine import Database
from annotator.documents import get_document, list_documents
from annotator.projects import DEFAULT_PROJECT
from ui.article_pane import ArticlePane, empty_state_html
from ui.document_list import DocumentList
from ui.elided_label import ElidedLabel
from ui.settings import app_settings

DEFAULT_SIZE = QSize(1280, 800)
DEFAULT_SPLIT = (380, 900)
Shortcut = QKeySequence | QKeySequence.StandardKey | str


class MainWindow(QMainWindow):
    """Browse a project's documents and read them right to left.

    ``annotator`` chooses whose statuses and span counts the list shows (None: all
    annotators' spans); :meth:`set_annotator` changes it and reloads the list.
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
        self.annotator = annotator
        self.setWindowTitle(f"annotator \u2014 {db.location}")

        self.document_list = DocumentList(self)
        self.article = ArticlePane(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.document_list)
        self.splitter.addWidget(self.article)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self._create_status_bar()
        self._create_actions()
        self.document_list.document_selected.connect(self.show_document)
        self.document_list.counts_changed.connect(self._show_counts)
        self.article.view.zoom_changed.connect(self._show_zoom)

        self._restore_settings()
        self.reload_documents()

    # -- building ----------------------------------------------------------------------

    def _create_status_bar(self) -> None:
        bar = self.statusBar()
        self.document_status = QLabel(self)
        self.count_status = QLabel(self)
        self.zoom_status = QLabel(self)
        self.location_status = ElidedLabel(self.db.location, self)
        bar.addWidget(self.document_status, 1)
        for label in (self.count_status, self.zoom_status, self.location_status):
            label.setContentsMargins(10, 0, 10, 0)  # the bar's own gaps are a few pixels
            bar.addPermanentWidget(label)
        self.zoom_status.setToolTip("Reading size (Ctrl++, Ctrl+-, Ctrl+0)")
        self._show_zoom(self.article.view.zoom)

    def _create_actions(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
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
        """Read the document list again and open the first document (or the empty state)."""
        rows = list_documents(self.db, self.project_id, self.annotator)
        self.document_list.set_rows(rows)
        if not rows:
            self.article.show_empty(
                empty_state_html(
                    self.db.location, self.project_name, self.project_name == DEFAULT_PROJECT
                )
            )
            self.document_status.clear()
            return
        self.document_list.select_first()
        # Start in the list, so the arrow keys move through documents at once.
        self.document_list.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_annotator(self, annotator: str | None) -> None:
        """Show ``annotator``'s statuses and span counts (None: everyone's spans)."""
        self.annotator = annotator
        self.reload_documents()

    def show_document(self, document_id: int) -> None:
        """Open a document in the article view."""
        document = get_document(self.db, document_id)
        self.article.show_article(document.name, document.text)
        self.document_status.setText(f"{document.name} \u2014 {len(document.text):,} characters")

    def current_document_id(self) -> int | None:
        return self.document_list.current_document_id()

    def next_document(self) -> None:
        self.document_list.select_next()

    def previous_document(self) -> None:
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
        splitter = settings.value("window/splitter")
        if not (isinstance(splitter, QByteArray) and self.splitter.restoreState(splitter)):
            self.splitter.setSizes(list(DEFAULT_SPLIT))
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
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("documents/header", self.document_list.header_state())
        settings.setValue("article/zoom", self.article.view.zoom)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        super().closeEvent(event)
