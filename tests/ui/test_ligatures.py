"""A highlight starting inside a ligature leaves the glyphs as they were.

The text's ink (its dark pixels) is compared with and without a span whose edge falls
inside lam-alef (الانتخابات) and Amiri's lam-meem (المفوضية). As a control, the method
ARABIC.md measured as breaking (a character format) must change the ink a lot: that is
what this test would catch.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtGui import QColor, QImage, QTextCharFormat, QTextCursor

from annotator.store.documents import SpanValue
from ui.tagging.painter import SpanStyle
from ui.tagging.view import TaggingView

TEXT = "أعلنت المفوضية نتائج الانتخابات العامة"
INK = 60  # luminance below this is the text itself (black), never a tint or a bar


def ink(image: QImage) -> set[tuple[int, int]]:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    dark = set()
    for y in range(image.height()):
        for x in range(image.width()):
            c = QColor(image.pixel(x, y))
            if 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue() < INK:
                dark.add((x, y))
    return dark


def render(qtbot: QtBot, spans: list[SpanValue], char_format: tuple[int, int] | None = None
           ) -> QImage:
    view = TaggingView()
    qtbot.addWidget(view)
    view.resize(700, 160)
    view.show_text(TEXT)
    view.set_style(SpanStyle(colors={"EVENT": QColor("#4E79A7")}))
    view.set_spans(spans, [])
    if char_format:  # the broken way, for the control
        cursor = QTextCursor(view.document())
        cursor.setPosition(char_format[0])
        cursor.setPosition(char_format[1], QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#4E79A7"))
        cursor.mergeCharFormat(fmt)
    view.show()
    qtbot.waitExposed(view)
    return view.viewport().grab().toImage()


def changed(a: set[tuple[int, int]], b: set[tuple[int, int]]) -> float:
    return len(a ^ b) / len(a)


def test_span_edges_inside_ligatures_keep_the_glyphs(qtbot: QtBot) -> None:
    election = TEXT.index("الانتخابات")
    commission = TEXT.index("المفوضية")
    assert TEXT[election + 1 : election + 3] == "لا"  # the span starts between lam and alef
    assert TEXT[commission + 1 : commission + 3] == "لم"
    plain = ink(render(qtbot, []))
    assert len(plain) > 300
    for start, end in ((election + 2, election + 10), (commission + 2, commission + 8)):
        painted = render(qtbot, [SpanValue(1, start, end, "EVENT", "tester", "manual")])
        # Only antialiased glyph edges over the tint may differ, never a glyph.
        assert changed(plain, ink(painted)) < 0.05
        broken = render(qtbot, [], char_format=(start, end))
        assert changed(plain, ink(broken)) > 0.3
