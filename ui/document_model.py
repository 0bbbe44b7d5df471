"""The document list as Qt models: a table over ``DocumentRow`` values and its filter.

The table model is a row cache: it holds the plain values one ``list_documents`` query
returned and answers ``data()`` from memory, so painting, sorting and filtering never
touch the database. Reloading (another annotator chosen, documents imported) replaces
the rows in one reset; ``update_row`` refreshes one document after its spans or status
changed.

Sorting and filtering run in Python over those values rather than through
``data()``: QSortFilterProxyModel's own sort calls ``data()`` twice per comparison, which
took 7 s for 100,000 documents; ``list.sort`` takes a few milliseconds, and the name
filter about 40 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from annotator.db.models import Status
from annotator.documents import DocumentRow

Index = QModelIndex | QPersistentModelIndex

NAME_COLUMN, STATUS_COLUMN, SPANS_COLUMN = range(3)
HEADERS = ("Name", "Status", "Spans")

# The document's id, for turning a (proxy) index back into something the core knows.
DOCUMENT_ID_ROLE = Qt.ItemDataRole.UserRole

STATUS_TEXT = {Status.NEW: "new", Status.IN_PROGRESS: "in progress", Status.DONE: "done"}
STATUS_ORDER = {Status.NEW: 0, Status.IN_PROGRESS: 1, Status.DONE: 2}
STATUS_COLOUR = {Status.IN_PROGRESS: QColor("#B26B00"), Status.DONE: QColor("#2E7D32")}
SORT_KEYS: dict[int, Callable[[DocumentRow], Any]] = {
    NAME_COLUMN: lambda row: row.name.casefold(),
    STATUS_COLUMN: lambda row: STATUS_ORDER.get(row.status, 0),
    SPANS_COLUMN: lambda row: row.span_count,
}
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class DocumentTableModel(QAbstractTableModel):
    """Documents of a project with one annotator's status and span count (columns Name,
    Status, Spans), served from an in-memory cache of ``DocumentRow`` values."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[DocumentRow] = []
        self._row_of_id: dict[int, int] = {}
        self._filter_keys: list[str] = []
        self._sort_column = -1  # -1: import order
        self._sort_order = Qt.SortOrder.AscendingOrder

    # -- loading ---------------------------------------------------------------------

    def set_rows(self, rows: Sequence[DocumentRow]) -> None:
        """Replace every row (one model reset), keeping the current sort order."""
        self.beginResetModel()
        self._rows = self._sorted(rows)
        self._reindex()
        self.endResetModel()

    def update_row(self, row: DocumentRow) -> bool:
        """Replace the cached row of document ``row.id``; False if it is not listed."""
        n = self._row_of_id.get(row.id)
        if n is None:
            return False
        self._rows[n] = row
        self._filter_keys[n] = row.name.casefold()
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(HEADERS) - 1))
        return True

    def row_of(self, document_id: int) -> int | None:
        """The row of a document, or None when it is not listed."""
        return self._row_of_id.get(document_id)

    def document_at(self, row: int) -> DocumentRow:
        return self._rows[row]

    def filter_key(self, row: int) -> str:
        """The text the name filter matches against (the name, case-folded)."""
        return self._filter_keys[row]

    def _sorted(self, rows: Sequence[DocumentRow]) -> list[DocumentRow]:
        ordered = sorted(rows, key=lambda row: row.id)  # import order breaks ties
        key = SORT_KEYS.get(self._sort_column)
        if key is not None:
            ordered.sort(key=key, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return ordered

    def _reindex(self) -> None:
        self._row_of_id = {row.id: n for n, row in enumerate(self._rows)}
        self._filter_keys = [row.name.casefold() for row in self._rows]

    # -- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == SPANS_COLUMN:
                return RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME_COLUMN:
                return row.name
            if column == STATUS_COLUMN:
                return STATUS_TEXT.get(row.status, str(row.status))
            return row.span_count
        if role == DOCUMENT_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SPANS_COLUMN:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN:
            return STATUS_COLOUR.get(row.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name}\n{row.length:,} characters, {row.span_count:,} spans"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; -1 restores import order. Selections follow their rows."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[index.row()].id for index in persistent]
        self._rows = self._sorted(self._rows)
        self._reindex()
        self.changePersistentIndexList(
            persistent,
            [
                self.index(self._row_of_id[doc_id], index.column())
                for index, doc_id in zip(persistent, ids, strict=True)
            ],
        )
        self.layoutChanged.emit()


class DocumentFilterModel(QSortFilterProxyModel):
    """Filters on the document name, ignoring case; sorting is the source model's."""

    def __init__(self, documents: DocumentTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self._needle = ""
        self.setSourceModel(documents)

    def set_name_filter(self, text: str) -> None:
        """Show only documents whose name contains ``text`` (all when it is empty)."""
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = needle
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return not self._needle or self._needle in self._documents.filter_key(source_row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source sorts itself in Python (see the module docstring); this proxy keeps
        # its own order, which is the source's.
        self._documents.sort(column, order)

    def document_id(self, proxy_row: int) -> int | None:
        """The document shown at ``proxy_row``, or None outside the list."""
        if not 0 <= proxy_row < self.rowCount():
            return None
        return self.index(proxy_row, NAME_COLUMN).data(DOCUMENT_ID_ROLE)
