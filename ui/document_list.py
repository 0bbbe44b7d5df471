"""The left pane: a filter box above a sortable table of the project's documents."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.documents import DocumentRow
from ui.document_model import (
    NAME_COLUMN,
    SPANS_COLUMN,
    STATUS_COLUMN,
    DocumentFilterModel,
    DocumentTableModel,
)


class DocumentList(QWidget):
    """Lists documents and reports which one the user picks.

    Moving between documents (keys, clicks, the filter) always goes through the table's
    current index, so ``document_selected`` is emitted from one place only.
    """

    document_selected = Signal(int)  # document id
    counts_changed = Signal(int, int)  # documents shown, documents in the project

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DocumentTableModel(self)
        self.proxy = DocumentFilterModel(self.model, self)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter by name  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.filter_edit.returnPressed.connect(self._on_filter_return)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self._configure_table()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filter_edit)
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
        self.model.set_rows(rows)
        self._emit_counts()

    def current_document_id(self) -> int | None:
        current = self.table.currentIndex()
        return self.proxy.document_id(current.row()) if current.isValid() else None

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
        """Select a document by id, if the filter shows it."""
        source_row = self.model.row_of(document_id)
        if source_row is None:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(source_row, NAME_COLUMN))
        return proxy_index.isValid() and self.select_row(proxy_index.row())

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
        document_id = self.proxy.document_id(current.row()) if current.isValid() else None
        if document_id is not None:
            self.document_selected.emit(document_id)

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_name_filter(text)
        self._emit_counts()

    def _on_filter_return(self) -> None:
        # Enter in the filter box: open the first match and go to the list.
        if not self.table.currentIndex().isValid():
            self.select_first()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _emit_counts(self) -> None:
        self.counts_changed.emit(self.proxy.rowCount(), self.model.rowCount())
