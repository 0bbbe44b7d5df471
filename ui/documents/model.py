"""The document list as Qt models: a table over ``DocumentRow`` values and its filter.

The table model is a row cache: it holds the plain values one ``list_documents`` query
returned and answers ``data()`` from memory, so painting, sorting and filtering never
touch the database. Reloading (another annotator chosen, documents imported) replaces
the rows in one reset; ``update_row`` refreshes one document after its spans or status
changed.

The filter combines a status with a query. The query matches names here, from keys
folded once per reload (case, harakat and tatweel ignored: ``annotator.text.fold.fold``),
and article texts through a set of ids a text search found, since no text is in memory.
So each ``filterAcceptsRow`` is a few comparisons, a substring test on a short name and
a set lookup.

Sorting and filtering run in Python over those values rather than through
``data()``: QSortFilterProxyModel's own sort calls ``data()`` twice per comparison, which
took 7 s for 100,000 documents; ``list.sort`` takes a few milliseconds, and a filter
change with the view painted 0.05 to 0.1 s (benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from annotator.db.models import Status
from annotator.store.documents import DocumentRow
from annotator.text.fold import fold
from ui.common.tables import Index

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
DISPLAY, ALIGNMENT, FOREGROUND, TOOLTIP, ID = (
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        DOCUMENT_ID_ROLE,
    )
)
SERVED_ROLES = frozenset((DISPLAY, ALIGNMENT, FOREGROUND, TOOLTIP, ID))


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
        self._filter_keys[n] = fold(row.name)
        self.dataChanged.emit(self.index(n, 0), self.index(n, len(HEADERS) - 1))
        return True

    def refresh(self, document_id: int) -> None:
        """Announce a document's row as changed, so that filters look at it again."""
        n = self._row_of_id.get(document_id)
        if n is not None:
            self.dataChanged.emit(self.index(n, 0), self.index(n, len(HEADERS) - 1))

    def row_of(self, document_id: int) -> int | None:
        """The row of a document, or None when it is not listed."""
        return self._row_of_id.get(document_id)

    def document_at(self, row: int) -> DocumentRow:
        return self._rows[row]

    def filter_key(self, row: int) -> str:
        """The text the name filter matches against (the name, folded)."""
        return self._filter_keys[row]

    def _sorted(self, rows: Sequence[DocumentRow]) -> list[DocumentRow]:
        ordered = sorted(rows, key=lambda row: row.id)  # import order breaks ties
        key = SORT_KEYS.get(self._sort_column)
        if key is not None:
            ordered.sort(key=key, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return ordered

    def _reindex(self) -> None:
        self._row_of_id = {row.id: n for n, row in enumerate(self._rows)}
        self._filter_keys = [fold(row.name) for row in self._rows]

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

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Asked for a dozen roles per visible cell on every paint: the roles not served
        # here leave at once, and roles are compared as plain ints (enum lookups cost).
        if role not in SERVED_ROLES or not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == NAME_COLUMN:
                return row.name
            if column == STATUS_COLUMN:
                return STATUS_TEXT.get(row.status, str(row.status))
            return row.span_count
        if role == ID:
            return row.id
        if role == ALIGNMENT:
            return RIGHT if column == SPANS_COLUMN else None
        if role == FOREGROUND:
            return STATUS_COLOUR.get(row.status) if column == STATUS_COLUMN else None
        return f"{row.name}\n{row.length:,} characters, {row.span_count:,} spans"  # tooltip

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
    """Shows the documents with the chosen status whose name contains the query (or
    whose text does, per the last text search); sorting is the source model's.

    One document can be kept in view whatever the filters say: the open one, so that
    marking it done under a "New" filter does not pull it out from under the user.
    """

    def __init__(self, documents: DocumentTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._documents = documents
        self._needle = ""
        self._status: Status | None = None
        self._text_hits: frozenset[int] = frozenset()
        self._kept: int | None = None
        self.setSourceModel(documents)

    def set_name_filter(self, text: str) -> None:
        """Match names against ``text`` (all names when it is blank). Text search hits
        belong to the previous query, so they are dropped."""
        needle = fold(text).strip()
        if needle != self._needle:
            self._change(needle, self._status, frozenset())

    def set_status_filter(self, status: Status | None) -> None:
        """Show only documents with ``status`` (None: any status)."""
        if status != self._status:
            self._change(self._needle, status, self._text_hits)

    def set_text_hits(self, document_ids: AbstractSet[int]) -> None:
        """Also show these documents (those whose text contains the current query)."""
        hits = frozenset(document_ids)
        if hits != self._text_hits:
            self._change(self._needle, self._status, hits)

    def keep_visible(self, document_id: int | None) -> None:
        """Show ``document_id`` even when it fails the filters; None keeps none.

        The document kept before is looked at again, and hidden if it fails them.
        """
        before, self._kept = self._kept, document_id
        if before is not None and before != document_id:
            self._documents.refresh(before)

    def _change(self, needle: str, status: Status | None, hits: frozenset[int]) -> None:
        self._needle, self._status, self._text_hits = needle, status, hits
        # A whole new mapping and one layoutChanged, rather than the incremental filter
        # change (beginFilterChange/endFilterChange): that removes each run of hidden
        # rows with its own signals, and a status filter hides tens of thousands of
        # scattered runs: 0.4 to 0.9 s at 100,000 documents with a view, against 0.05
        # to 0.08 s for this. Selections follow their rows through layoutChanged.
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        # Called once per document on every change: constant work per row.
        if not self._needle and self._status is None:
            return True
        row = self._documents.document_at(source_row)
        if row.id == self._kept:
            return True
        if self._status is not None and row.status != self._status:
            return False
        return (
            not self._needle
            or self._needle in self._documents.filter_key(source_row)
            or row.id in self._text_hits
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source sorts itself in Python (see the module docstring); this proxy keeps
        # its own order, which is the source's.
        self._documents.sort(column, order)

    def document_id(self, proxy_row: int) -> int | None:
        """The document shown at ``proxy_row``, or None outside the list."""
        if not 0 <= proxy_row < self.rowCount():
            return None
        return self.index(proxy_row, NAME_COLUMN).data(DOCUMENT_ID_ROLE)
