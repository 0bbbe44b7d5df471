"""The label palette, which is also the legend: every label and relation type of the
schema as a clickable row with its colour, names and hotkey.

Rows are painted by hand rather than built from nested layouts: a row is one widget, so
a 40-label schema stays cheap to rebuild, and the Arabic name can be drawn with a
right-to-left text option (elided at its logical end, which is its visual left).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractButton, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotator.store.schema import Schema
from ui.common.fonts import arabic_font, right_to_left_option

PAD = 8  # inner margin of a row
SWATCH = 14
TEXT_LEFT = 1 + PAD + SWATCH + 7  # where a row's names start
KEYCAP_HEIGHT = 20
WRAP = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)


class PaletteButton(QAbstractButton):
    """One row of the palette: swatch, name, Arabic name, key cap, and an optional second
    line (a relation type's "QUOTE → PERSON / ORGANIZATION"). Never takes the focus.

    The Arabic name shares the name's line when both fit, and gets a line of its own
    below it when they do not (the row's height depends on its width).
    """

    def __init__(self, name: str, arabic: str, hotkey: str | None, colour: str | None,
                 detail: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name, self.arabic, self.hotkey, self.detail = name, arabic, hotkey or "", detail
        self.colour = QColor(colour) if colour else None
        self.highlighted = False
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the article keeps the hotkeys
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(f"{name} {arabic}".strip())
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._name_font, self._small_font = QFont(self.font()), QFont(self.font())
        self._name_font.setBold(True)
        self._small_font.setPointSizeF(self.font().pointSizeF() * 0.9)
        self._arabic_font = arabic_font(self.font())
        # Amiri's line box (ascent + marks) is twice DejaVu's; 0.8 of it still holds a
        # line of letters with their dots and harakat.
        self._line = max(QFontMetricsF(self._arabic_font).height() * 0.8, KEYCAP_HEIGHT + 4)
        advance = QFontMetricsF(self._small_font).horizontalAdvance(self.hotkey)
        self._keycap = max(KEYCAP_HEIGHT, advance + 10) if self.hotkey else 0.0

    def _text_right(self, width: float) -> float:
        return width - 1 - PAD - (self._keycap + 6 if self.hotkey else 0)

    def _one_line(self, width: float) -> bool:
        """Whether the name and the Arabic name fit side by side."""
        needed = QFontMetricsF(self._name_font).horizontalAdvance(self.name)
        if self.arabic:
            needed += 10 + QFontMetricsF(self._arabic_font).horizontalAdvance(self.arabic)
        return needed <= self._text_right(width) - TEXT_LEFT

    def _detail_rect(self, width: float, top: float) -> QRectF:
        box = QRectF(TEXT_LEFT, top, width - 1 - PAD - TEXT_LEFT, 1000)
        height = QFontMetricsF(self._small_font).boundingRect(box, WRAP, self.detail).height()
        return QRectF(TEXT_LEFT, top, box.width(), height)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        height = PAD + self._line * (1 if self._one_line(width) else 2)
        if self.detail:
            height += self._detail_rect(width, 0).height()
        return int(height + 0.999)

    def sizeHint(self) -> QSize:
        return QSize(200, self.heightForWidth(200))

    def minimumSizeHint(self) -> QSize:
        # One line: the layout asks heightForWidth for the real height at its width, and
        # a taller minimum would make the scroll area scroll when nothing overflows.
        return QSize(120, int(PAD + self._line))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        box = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        self._paint_background(painter, box, pal)
        line = QRectF(box.left() + PAD, box.top() + PAD / 2, box.width() - 2 * PAD, self._line)
        swatch = QRectF(line.left(), line.center().y() - SWATCH / 2, SWATCH, SWATCH)
        if self.colour is not None:
            painter.setPen(QPen(self.colour.darker(140), 1))
            painter.setBrush(self.colour)
            painter.drawRoundedRect(swatch, 3, 3)
        else:  # a relation type: an arrow where a label has its colour
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.setFont(self._name_font)
            painter.drawText(swatch.adjusted(-2, -4, 2, 4), Qt.AlignmentFlag.AlignCenter, "\u2192")
        if self.hotkey:
            self._paint_keycap(painter, line, pal)
        right = self._text_right(self.width())
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        painter.setFont(self._name_font)
        name_box = QRectF(TEXT_LEFT, line.top(), right - TEXT_LEFT, line.height())
        name = QFontMetricsF(self._name_font).elidedText(
            self.name, Qt.TextElideMode.ElideRight, name_box.width())
        painter.drawText(name_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         name)
        bottom = line.bottom()
        if self.arabic:
            # Beside the name when both fit; else on a line of its own, under the key cap.
            arabic_box = QRectF(name_box)
            if not self._one_line(self.width()):
                arabic_box = QRectF(TEXT_LEFT, bottom, line.right() - TEXT_LEFT, line.height())
                bottom = arabic_box.bottom()
            painter.setFont(self._arabic_font)
            arabic = QFontMetricsF(self._arabic_font).elidedText(
                self.arabic, Qt.TextElideMode.ElideRight, arabic_box.width())
            painter.drawText(arabic_box.adjusted(0, -2, 0, 2), arabic, right_to_left_option())
        if self.detail:
            painter.setFont(self._small_font)
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self._detail_rect(self.width(), bottom), WRAP, self.detail)
        painter.end()

    def _paint_background(self, painter: QPainter, box: QRectF, pal: QPalette) -> None:
        if self.highlighted and self.colour is not None:
            tint = QColor(self.colour)
            tint.setAlpha(55)
            painter.setPen(QPen(self.colour.darker(115), 1.5))
            painter.setBrush(tint)
        elif self.isDown() or self.underMouse():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.Midlight if self.isDown()
                                       else QPalette.ColorRole.AlternateBase))
        else:
            return
        painter.drawRoundedRect(box, 5, 5)

    def _paint_keycap(self, painter: QPainter, line: QRectF, pal: QPalette) -> None:
        """Draw the hotkey as a key cap at the right of ``line``."""
        cap = QRectF(line.right() - self._keycap, line.center().y() - KEYCAP_HEIGHT / 2,
                     self._keycap, KEYCAP_HEIGHT)
        edge = pal.color(QPalette.ColorRole.Mid)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(edge)  # the key's lower lip: the same shape 1.5 px lower
        painter.drawRoundedRect(cap.translated(0, 1.5), 4, 4)
        painter.setPen(QPen(edge, 1))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(cap, 4, 4)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        painter.setFont(self._small_font)
        painter.drawText(cap, Qt.AlignmentFlag.AlignCenter, self.hotkey)


class LabelPalette(QWidget):
    """The schema's labels and relation types, to click or to read as a legend.

    Clicking a label emits ``label_chosen(name)``; clicking a relation type emits
    ``relation_chosen(name)``. Nothing here takes the keyboard focus, so the hotkeys
    shown keep working in the article.
    """

    label_chosen = Signal(str)  # label name
    relation_chosen = Signal(str)  # relation type name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._label_buttons: dict[str, PaletteButton] = {}
        self._relation_buttons: dict[str, PaletteButton] = {}
        self._highlighted: str | None = None
        content = QWidget()
        self._rows = QVBoxLayout(content)
        self._rows.setContentsMargins(6, 6, 6, 6)
        self._rows.setSpacing(1)
        scroll = QScrollArea(self)  # a long schema scrolls; the panel keeps its height
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Rows' heights depend on their width: when the scroll bar appears the content
        # must shrink with the viewport, or its right edge (the key caps) goes under it.
        self._content, self._scroll = content, scroll
        scroll.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._content.setMaximumWidth(self._scroll.viewport().width())
        return super().eventFilter(watched, event)

    def set_schema(self, schema: Schema) -> None:
        """Show ``schema``'s labels, then its relation types; the highlight is kept."""
        while (item := self._rows.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self._label_buttons.clear()
        self._relation_buttons.clear()
        self._rows.addWidget(self._small_label("LABELS", heading=True))
        for label in schema.labels:
            button = PaletteButton(label.name, label.display_name, label.hotkey, label.color)
            self._add(button, self._label_buttons, self.label_chosen, "label the selected text")
        if schema.relation_types:
            self._rows.addSpacing(10)
            self._rows.addWidget(self._small_label("RELATIONS", heading=True))
        for rtype in schema.relation_types:
            ends = " \u2192 ".join(" / ".join(names) or "any label"
                                   for names in (rtype.from_labels, rtype.to_labels))
            button = PaletteButton(rtype.name, rtype.display_name, rtype.hotkey, None, ends)
            self._add(button, self._relation_buttons, self.relation_chosen, f"link {ends}")
        self._rows.addSpacing(8)
        self._rows.addWidget(self._small_label(
            "Select text in the article, then click a label or press its key."))
        self._rows.addStretch(1)
        self.set_highlighted(self._highlighted)

    def set_highlighted(self, label: str | None) -> None:
        """Mark the label of the selected span (None: no span selected)."""
        self._highlighted = label if label in self._label_buttons else None
        for name, button in self._label_buttons.items():
            if button.highlighted != (name == self._highlighted):
                button.highlighted = name == self._highlighted
                button.update()

    def highlighted(self) -> str | None:
        return self._highlighted

    def label_button(self, name: str) -> PaletteButton:
        return self._label_buttons[name]

    def relation_button(self, name: str) -> PaletteButton:
        return self._relation_buttons[name]

    def _add(self, button: PaletteButton, buttons: dict[str, PaletteButton],
             signal: SignalInstance, action: str) -> None:
        key = f" or press {button.hotkey}" if button.hotkey else ""
        button.setToolTip(f"{button.name} \u2014 {button.arabic}\nTo {action}: click{key}.")
        button.clicked.connect(lambda _=False, name=button.name: signal.emit(name))
        buttons[button.name] = button
        self._rows.addWidget(button)

    def _small_label(self, text: str, heading: bool = False) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setContentsMargins(PAD, 4, PAD, 4)
        if heading:
            label.setStyleSheet("font-weight: bold; font-size: 8pt; letter-spacing: 1px;")
        return label
