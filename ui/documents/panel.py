"""The left pane: filters (a query, "Text", a status) above the documents' table.

With "Text" on, the query also finds documents whose article text holds it; that search
runs on a worker thread after a pause in typing (``ui.documents.text_search``), and until it
answers the query matches names only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.db.models import Status
from annotator.store.documents import DocumentRow
from annotator.text.fold import strip_marks
from ui.documents.model import (
    NAME_COLUMN,
    SPANS_COLUMN,
    STATUS_COLUMN,
    DocumentFilterModel,
    DocumentTableModel,
)
from ui.documents.text_search import TextSearch, TextSearcher

MIN_SEARCH_LENGTH = 2  # letters, marks not counted: one letter matches nearly every text
STATUS_CHOICES: tuple[tuple[str, Status | None], ...] = (
    ("Any status", None),
    ("New", Status.NEW),
    ("In progress", Status.IN_PROGRESS),
    ("Done", Status.DONE),
)


class DocumentList(QWidget):
    """Lists documents and reports which one the user picks.

    Only the user moves between documents (keys, clicks, Enter in the filter box), always
    through the table's current index, so ``document_selected`` is emitted from one
    place. A filter change never opens another document: the open one stays current
    while it is shown, and no row is current when the filter hides it.
    """

    document_selected = Signal(int)  # document id
    counts_changed = Signal(int, int)  # documents shown, documents in the project
    text_search_started = Signal(str)  # query
    text_search_finished = Signal(str, int)  # query, documents found (-1: search failed)

    def __init__(
        self, parent: QWidget | None = None, text_search: TextSearch | None = None
    ) -> None:
        super().__init__(parent)
        self.model = DocumentTableModel(self)
        self.proxy = DocumentFilterModel(self.model, self)
        self._quiet = False  # True while a filter change moves the current row
        self._open_id: int | None = None  # shown in the article, even while filtered out
        self.searcher = TextSearcher(None, self)
        self.searcher.started.connect(self.text_search_started)
        self.searcher.finished.connect(self._on_text_search_finished)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_query_changed)
        self.filter_edit.returnPressed.connect(self._on_filter_return)
        self.text_toggle = QCheckBox("Text", self)
        self.text_toggle.setToolTip(
            "Also find documents whose article text contains the words\n"
            "(case, harakat and tatweel ignored; 2 letters or more)"
        )
        self.text_toggle.toggled.connect(self._on_text_toggled)
        self.status_combo = QComboBox(self)
        self.status_combo.addItems([text for text, _status in STATUS_CHOICES])
        self.status_combo.setToolTip("Show documents with this status only")
        self.status_combo.currentIndexChanged.connect(self._on_status_changed)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self._configure_table()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.set_text_search(text_search)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.text_toggle)
        filters.addWidget(self.status_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self.table)

    def _configure_table(self) -> None:
        table = self.table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Fixed row heights and column widths: nothing has to measure every row, which
        # is what keeps a 100,000-document list as fast as a 40-document one.
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SPANS_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(STATUS_COLUMN, 100)
        header.resizeSection(SPANS_COLUMN, 72)
        # Import order until the user clicks a header; a third click returns to it.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        table.setSortingEnabled(True)

    # -- what the window calls ---------------------------------------------------------

    def set_rows(self, rows: Sequence[DocumentRow]) -> None:
        """Show ``rows`` (from ``list_documents``); the selection is cleared."""
        self.proxy.keep_visible(None)
        self.model.set_rows(rows)
        self._emit_counts()
        self._schedule_text_search()  # documents may have come or gone

    def refresh_rows(self, rows: Sequence[DocumentRow]) -> None:
        """Show ``rows`` read again (View ▸ Refresh): filters, sort, the open document's
        row and the scroll position stay, and nothing opens again."""
        scroll = self.table.verticalScrollBar().value()
        self._quiet = True
        try:
            self.model.set_rows(rows)
            self.table.verticalScrollBar().setValue(scroll)
            self._restore_current(self._open_id)
        finally:
            self._quiet = False
        self._emit_counts()
        self._schedule_text_search()

    def rows(self) -> list[DocumentRow]:
        """The rows shown and filtered out, as last read."""
        return [self.model.document_at(n) for n in range(self.model.rowCount())]

    def update_row(self, row: DocumentRow) -> bool:
        """Refresh one document's row (False if it is not listed). The open document
        stays in view even when it no longer passes the status filter."""
        updated = self.model.update_row(row)
        self._emit_counts()
        return updated

    def set_text_search(self, text_search: TextSearch | None) -> None:
        """Use ``text_search`` for the "Text" option (None hides the option).

        It is called on a worker thread, so it must open its own database session, as
        ``annotator.search.corpus.search_documents`` does.
        """
        self.searcher.search = text_search
        self.text_toggle.setVisible(text_search is not None)
        self._on_text_toggled(self.text_toggle.isChecked())

    def set_status_filter(self, status: Status | None) -> None:
        """Choose the status filter, as picking it in the combo box does."""
        self.status_combo.setCurrentIndex([s for _text, s in STATUS_CHOICES].index(status))

    def current_document_id(self) -> int | None:
        """The document of the current row; None when no row is (or a filter hides it)."""
        current = self.table.currentIndex()
        return self.proxy.document_id(current.row()) if current.isValid() else None

    def open_document_id(self) -> int | None:
        """The document last picked in the list or passed to ``select_document``,
        shown or filtered out: the one the article shows."""
        return self._open_id

    def select_row(self, proxy_row: int) -> bool:
        """Make the visible row ``proxy_row`` current; False when there is no such row."""
        if not 0 <= proxy_row < self.proxy.rowCount():
            return False
        index = self.proxy.index(proxy_row, NAME_COLUMN)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def select_first(self) -> bool:
        return self.select_row(0)

    def select_document(self, document_id: int) -> bool:
        """Select a document by id, if the filter shows it.

        When it does not, the caller opens the document itself; the list remembers it
        and makes it current once a filter change shows it.
        """
        source_row = self.model.row_of(document_id)
        proxy_index = QModelIndex()
        if source_row is not None:
            proxy_index = self.proxy.mapFromSource(self.model.index(source_row, NAME_COLUMN))
        if not proxy_index.isValid():
            self._open_id = document_id
            self.table.selectionModel().clear()
            return False
        return self.select_row(proxy_index.row())

    def select_next(self) -> bool:
        return self._step(+1)

    def select_previous(self) -> bool:
        return self._step(-1)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def header_state(self) -> QByteArray:
        return self.table.horizontalHeader().saveState()

    def restore_header_state(self, state: QByteArray) -> None:
        self.table.horizontalHeader().restoreState(state)

    # -- internals ---------------------------------------------------------------------

    def _step(self, delta: int) -> bool:
        current = self.table.currentIndex()
        # With nothing current (start, or the filter hid it), either key starts at the top.
        target = current.row() + delta if current.isValid() else 0
        return self.select_row(target)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet:
            return
        document_id = self.proxy.document_id(current.row()) if current.isValid() else None
        self.proxy.keep_visible(document_id)
        if document_id is not None:
            self._open_id = document_id
            self.document_selected.emit(document_id)

    def _refilter(self, change: Callable[[], None], *, keep_open: bool = False) -> None:
        """Apply a filter change without opening another document.

        The user's own changes show exactly what matches (``keep_open`` False); a text
        search answering later keeps the open document in view, as data changes do.
        """
        self._quiet = True
        try:
            if not keep_open:
                self.proxy.keep_visible(None)
            change()
            self._restore_current(self._open_id)
        finally:
            self._quiet = False
        self._emit_counts()

    def _restore_current(self, document_id: int | None) -> None:
        source_row = self.model.row_of(document_id) if document_id is not None else None
        index = QModelIndex()
        if source_row is not None:
            index = self.proxy.mapFromSource(self.model.index(source_row, NAME_COLUMN))
        selection = self.table.selectionModel()
        if not index.isValid():
            selection.clear()  # no current row; the article keeps showing the document
            return
        self.proxy.keep_visible(document_id)
        if selection.currentIndex().row() != index.row():
            self.select_row(index.row())  # quietly: the document is open already

    def _on_query_changed(self, text: str) -> None:
        self._refilter(lambda: self.proxy.set_name_filter(text))
        self._schedule_text_search()

    def _on_status_changed(self, index: int) -> None:
        self._refilter(lambda: self.proxy.set_status_filter(STATUS_CHOICES[index][1]))

    def _on_text_toggled(self, on: bool) -> None:
        searching = on and self.searcher.search is not None
        self.filter_edit.setPlaceholderText(
            "Name or text  (Ctrl+F)" if searching else "Filter by name  (Ctrl+F)"
        )
        if not searching:
            self._refilter(lambda: self.proxy.set_text_hits(frozenset()))
        self._schedule_text_search()

    def _on_filter_return(self) -> None:
        self.searcher.flush()  # Enter does not wait for the pause in typing
        # Enter in the filter box: open the first match and go to the list.
        if not self.table.currentIndex().isValid():
            self.select_first()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _schedule_text_search(self) -> None:
        query = self.filter_edit.text().strip()
        wanted = self.text_toggle.isChecked() and len(strip_marks(query)) >= MIN_SEARCH_LENGTH
        self.searcher.request(query if wanted else "")

    def _on_text_search_finished(self, query: str, found: set[int] | None) -> None:
        if found is not None:
            self._refilter(lambda: self.proxy.set_text_hits(found), keep_open=True)
        self.text_search_finished.emit(query, -1 if found is None else len(found))

    def _emit_counts(self) -> None:
        self.counts_changed.emit(self.proxy.rowCount(), self.model.rowCount())
