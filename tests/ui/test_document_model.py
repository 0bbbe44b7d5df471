"""The document list models at the scale of a large corpus (100,000 documents)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from annotator.db.models import Status
from annotator.store.documents import DocumentRow
from ui.documents.model import (
    DOCUMENT_ID_ROLE,
    NAME_COLUMN,
    SPANS_COLUMN,
    STATUS_COLUMN,
    DocumentFilterModel,
    DocumentTableModel,
)

N = 100_000
STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.DONE)


def big_corpus() -> list[DocumentRow]:
    return [
        DocumentRow(i, f"Article-{i:06d}", 1000 + i, STATUSES[i % 3], (i * 7) % 11)
        for i in range(1, N + 1)
    ]


def ids(proxy: DocumentFilterModel, count: int) -> list[int]:
    return [proxy.index(r, NAME_COLUMN).data(DOCUMENT_ID_ROLE) for r in range(count)]


def test_filter_sort_and_selection_on_100000_documents(qapp: QApplication) -> None:
    model = DocumentTableModel()
    proxy = DocumentFilterModel(model)
    rows = big_corpus()
    model.set_rows(rows)
    assert proxy.rowCount() == N
    assert proxy.index(2, STATUS_COLUMN).data() == "new"
    assert proxy.index(0, STATUS_COLUMN).data() == "in progress"

    selection = QItemSelectionModel(proxy)
    selection.setCurrentIndex(
        proxy.index(41, NAME_COLUMN), QItemSelectionModel.SelectionFlag.Select
    )
    current_id = rows[41].id

    proxy.sort(SPANS_COLUMN, Qt.SortOrder.DescendingOrder)
    top = ids(proxy, 5)
    assert [model.document_at(model.row_of(i) or 0).span_count for i in top] == [10] * 5
    assert top == sorted(top)  # ties stay in import order
    assert selection.currentIndex().data(DOCUMENT_ID_ROLE) == current_id  # follows its row

    proxy.set_name_filter("  article-0001  ")  # case and surrounding blanks ignored
    assert proxy.rowCount() == 100  # Article-000100 .. Article-000199
    spans = [proxy.index(r, SPANS_COLUMN).data() for r in range(proxy.rowCount())]
    assert spans == sorted(spans, reverse=True)  # still sorted while filtered

    proxy.sort(-1)  # the header's third click: back to import order
    assert ids(proxy, 3) == [100, 101, 102]

    proxy.sort(NAME_COLUMN, Qt.SortOrder.DescendingOrder)
    model.set_rows(rows)  # a reload keeps the chosen order and the filter
    assert ids(proxy, 2) == [199, 198]

    changed = DocumentRow(150, "Article-000150", 1150, Status.DONE, 99)
    assert model.update_row(changed)
    row = proxy.mapFromSource(model.index(model.row_of(150) or 0, SPANS_COLUMN)).row()
    assert proxy.index(row, SPANS_COLUMN).data() == 99
    assert proxy.index(row, STATUS_COLUMN).data() == "done"
    assert not model.update_row(DocumentRow(N + 1, "gone", 1, Status.NEW, 0))


def test_status_name_and_text_filters_combine_on_100000_documents(qapp: QApplication) -> None:
    model = DocumentTableModel()
    proxy = DocumentFilterModel(model)
    model.set_rows(big_corpus())

    proxy.set_status_filter(Status.DONE)  # ids 2, 5, 8, ...
    assert proxy.rowCount() == N // 3
    assert {proxy.index(r, STATUS_COLUMN).data() for r in range(proxy.rowCount())} == {"done"}
    proxy.set_name_filter("ARTICLE-00001")  # Article-000010 .. Article-000019
    assert ids(proxy, proxy.rowCount()) == [11, 14, 17]

    # Text search hits join the name matches, under the same status filter.
    proxy.set_text_hits({99_998, 50_000, 4})  # 4 is in progress: filtered out
    assert ids(proxy, proxy.rowCount()) == [11, 14, 17, 50_000, 99_998]
    proxy.set_name_filter("article-00002")  # a new query: the old hits go
    assert ids(proxy, proxy.rowCount()) == [20, 23, 26, 29]

    # The open document stays while its status changes, and goes when another opens.
    proxy.keep_visible(20)
    assert model.update_row(DocumentRow(20, "Article-000020", 1020, Status.IN_PROGRESS, 1))
    assert ids(proxy, proxy.rowCount()) == [20, 23, 26, 29]
    proxy.keep_visible(23)
    assert ids(proxy, proxy.rowCount()) == [23, 26, 29]

    proxy.set_status_filter(None)
    proxy.set_name_filter("")
    assert proxy.rowCount() == N
