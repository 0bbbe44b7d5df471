"""The article: canonical text, read-only, right to left, in the bundled Arabic font.

Rules from ARABIC.md this view keeps:
- the text shown is the stored text itself: never reshaped or reordered for display,
  because every offset a later selection produces must index the stored text;
- every paragraph is right to left, even one that starts with digits or Latin, which
  Qt's own per-paragraph detection would lay out left to right;
- no character formats, ever (they break ligatures); only the block format carries
  line spacing. Highlights will be extra selections or painted underlays.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextOption, QWheelEvent
from PySide6.QtWidgets import QFrame, QTextEdit, QWidget

from ui.common.fonts import ARTICLE_POINT_SIZE, article_font

log = logging.getLogger(__name__)

LINE_HEIGHT_PERCENT = 120
PARAGRAPH_GAP_PX = 10
DOCUMENT_MARGIN_PX = 28
ZOOM_STEP, ZOOM_MIN, ZOOM_MAX = 10, 50, 300  # percent


def view_text(raw_text: str) -> str:
    """A QTextDocument's raw text with paragraph separators back as the stored ``\\n``."""
    return raw_text.replace("\u2029", "\n")


class ArticleView(QTextEdit):
    """Shows one document's text for reading (and, in a later issue, tagging)."""

    zoom_changed = Signal(int)  # percent of the base reading size

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        # A keyboard caret lets the user select text without the mouse (tagging needs it).
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._zoom = 100
        self.setFont(article_font(ARTICLE_POINT_SIZE))
        self.document().setDocumentMargin(DOCUMENT_MARGIN_PX)
        self._apply_text_option()

    # -- content -----------------------------------------------------------------------

    def show_text(self, text: str) -> bool:
        """Display ``text`` unchanged; False (and a warning) if Qt altered it."""
        self._apply_text_option()
        self.setPlainText(text)
        self._apply_block_format()
        shown = view_text(self.document().toRawText())
        if shown != text:
            # Offsets would no longer index the stored text: say so loudly in the log.
            log.warning(
                "the view's text differs from the stored text (%d vs %d characters, "
                "first difference at %d)",
                len(shown),
                len(text),
                len(os.path.commonprefix([shown, text])),
            )
            return False
        return True

    def text(self) -> str:
        """The text shown, in the stored form (``\\n`` between paragraphs)."""
        return view_text(self.document().toRawText())

    def _apply_text_option(self) -> None:
        option = self.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        # Absolute: without it Qt mirrors "right" to left for right-to-left paragraphs.
        option.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
        self.document().setDefaultTextOption(option)

    def _apply_block_format(self) -> None:
        block = QTextBlockFormat()
        block.setLineHeight(
            LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value
        )
        block.setBottomMargin(PARAGRAPH_GAP_PX)
        # setPosition, not select(Document): moving to the end lays the whole text out,
        # and the edit block lays it out once, after every block has its format.
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        end = self.document().characterCount() - 1
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeBlockFormat(block)
        cursor.endEditBlock()

    # -- zoom --------------------------------------------------------------------------

    @property
    def zoom(self) -> int:
        """The reading size in percent of the base size."""
        return self._zoom

    def set_zoom(self, percent: int) -> None:
        percent = max(ZOOM_MIN, min(ZOOM_MAX, int(percent)))
        if percent == self._zoom:
            return
        self._zoom = percent
        self.setFont(article_font(ARTICLE_POINT_SIZE * percent / 100))
        self.zoom_changed.emit(percent)

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom + ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom - ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.set_zoom(100)

    def wheelEvent(self, event: QWheelEvent) -> None:
        # Ctrl+wheel would zoom QTextEdit's own way, behind our zoom level's back.
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() // 120
            if steps:
                self.set_zoom(self._zoom + steps * ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)
