"""Tables of plain rows: a model over a list of values, whole-row selection with fixed row
heights, and a delegate that draws Arabic right to left."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from ui.common.fonts import right_to_left_option

Index = QModelIndex | QPersistentModelIndex
TEXT_MARGIN = 5  # what the styles leave between a cell's edge and its text


def setup_row_table(table: QTableView, text_font: QFont, editable: bool = False) -> None:
    """A table of whole-row, single selection, one line a row, with fixed row heights
    tall enough for ``text_font``: nothing measures each row, which keeps 2,000 rows
    as fast as 20. An editable one edits on a double click or on typing."""
    triggers = QAbstractItemView.EditTrigger
    table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed
                          | triggers.AnyKeyPressed if editable else triggers.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setItemDelegate(RowDelegate(table))
    table.horizontalHeader().setHighlightSections(False)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    # Amiri's line box (room for stacked marks) is tall; 0.75 of it holds one line of
    # letters with their marks.
    line = int(QFontMetrics(text_font).height() * 0.75)
    rows.setDefaultSectionSize(max(line, table.fontMetrics().height()) + 6)


class RowsModel(QAbstractTableModel):
    """A table over the plain values in ``_rows`` (one a row) under fixed ``headers``."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


class RowDelegate(QStyledItemDelegate):
    """Rows are selected whole, so the focus frame around one cell is only noise."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus


class RightToLeftDelegate(RowDelegate):
    """Draws a cell's text right to left and right-aligned, so Arabic reads from the right
    even when it starts with digits or Latin, and is elided at its logical end (the
    left). Drawn here, not by the style, whose elision and direction vary by style."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        item = QStyle.ControlElement.CE_ItemViewItem  # background and selection, no text
        opt.widget.style().drawControl(item, opt, painter, opt.widget)
        box = QRectF(opt.rect).adjusted(TEXT_MARGIN, 0, -TEXT_MARGIN, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(opt.palette.color(role))
        elided = QFontMetricsF(opt.font).elidedText(text, Qt.TextElideMode.ElideRight,
                                                    box.width())
        painter.drawText(box, elided, right_to_left_option())
        painter.restore()
