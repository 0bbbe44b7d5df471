"""Every paragraph of an article is right to left, even one starting with digits or Latin,
and the view shows the stored text unchanged (ARABIC.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QWidget

from annotator.db.engine import Database
from annotator.io.importer import import_paths
from annotator.store.documents import get_document, list_documents
from annotator.store.projects import ensure_project
from ui.main_window import MainWindow

MIXED = "\n".join(
    [
        "12/08 23:28",  # a dateline: no strong letter at all, so Qt would pick left to right
        "OSCE: قالت المنظمة إن الانتخابات جرت بهدوء",
        "قال المتحدث باسم الوزارة إن الاجتماع انتهى",
        "المفوضية العليا للانتخابات\u00a0أعلنت النتائج الأولية",
        # Tatweel, harakat, ZWNJ, an RLM and an emoji with a skin tone (two UTF-16 units
        # each): all must reach the view unchanged.
        "مـــرحبا بِكُمْ\u200cهنا \u200f👍🏽 70% من الناخبين",
    ]
)


def test_paragraphs_starting_with_digits_or_latin_are_right_to_left(
    tmp_path: Path,
    qapp: QApplication,
    empty_db: Database,
    open_window: Callable[..., MainWindow],
    screenshot: Callable[[QWidget, str], Path],
) -> None:
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text(json.dumps({"id": "mixed", "text": MIXED}, ensure_ascii=False) + "\n")
    assert import_paths(empty_db, [corpus]).ok
    stored = get_document(empty_db, list_documents(empty_db, ensure_project(empty_db))[0].id)
    assert stored.text == MIXED

    window = open_window(empty_db)
    window.resize(1200, 700)
    window.splitter.setSizes([300, 900])
    qapp.processEvents()
    view = window.article.view
    assert view.text() == MIXED
    screenshot(window, "article_mixed_direction")

    document = view.document()
    assert document.blockCount() == 5
    block = document.firstBlock()
    while block.isValid():
        layout = block.layout()
        assert layout.textOption().textDirection() == Qt.LayoutDirection.RightToLeft
        line = layout.lineAt(0)
        text_rect, line_rect = line.naturalTextRect(), line.rect()
        assert text_rect.left() > line_rect.left() + 100  # a short line: room to its left
        # Right-aligned: the text reaches the line's right edge (some of Amiri's initial
        # letters, such as qaf, overhang it by a few pixels).
        assert line_rect.right() - 1 < text_rect.right() < line_rect.right() + 12, block.text()
        # The caret at the paragraph's logical start sits at its right edge.
        cursor = QTextCursor(block)
        assert view.cursorRect(cursor).x() > view.viewport().width() * 0.75, block.text()
        block = block.next()


def test_without_the_forced_direction_qt_would_lay_these_out_left_to_right(
    qapp: QApplication,
) -> None:
    # The control for the test above: Qt's own choice for these paragraphs is left to
    # right, so the view's forced direction is what makes them right to left.
    document = QTextDocument()
    document.setPlainText(MIXED)
    first, second = document.firstBlock(), document.firstBlock().next()
    assert first.textDirection() == Qt.LayoutDirection.LeftToRight
    assert second.textDirection() == Qt.LayoutDirection.LeftToRight
