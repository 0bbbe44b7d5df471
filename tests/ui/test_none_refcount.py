"""Regression guard for the PySide6 6.12.0 reference-count bug (ARABIC.md).

On PySide6 6.12.0 every ``QTextCursor.setPosition`` drops a reference to ``None``; on
Python 3.11, where ``None`` is not immortal, the interpreter dies after a few thousand
calls. pyproject.toml keeps PySide6 below 6.12 on Python < 3.12; this test fails if an
install ever escapes that marker (or a later PySide6 brings the bug back).
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication

CALLS = 20_000
NOISE = 100  # unrelated code may take or drop a few references to None meanwhile


def test_set_position_does_not_leak_references_to_none(qapp: QApplication) -> None:
    document = QTextDocument()
    document.setPlainText("المفوضية العليا للانتخابات أعلنت النتائج الأولية\n" * 50)
    length = document.characterCount() - 1
    cursor = QTextCursor(document)

    before = sys.getrefcount(None)
    for i in range(CALLS // 2):
        start = i % (length - 10)
        cursor.setPosition(start)
        cursor.setPosition(start + 10, QTextCursor.MoveMode.KeepAnchor)
    after = sys.getrefcount(None)

    assert cursor.selectedText()  # the calls really moved the cursor
    assert after >= before - NOISE, f"None lost {before - after} references in {CALLS} calls"
