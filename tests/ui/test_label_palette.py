"""The label palette on the schema a new project gets: clicks emit names, the focus stays
where it was, rows fit a narrow side panel, and the selected span's label is highlighted.

The palette never reads the database, so these tests open none (and run once, not per
backend)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from annotator.store.schema import DEFAULT_SCHEMA
from ui.tagging.palette import LabelPalette

PANEL_WIDTH = 220


def open_palette(qtbot: QtBot) -> tuple[QWidget, LabelPalette, QLineEdit]:
    """A palette beside a line edit that has the focus (standing in for the article)."""
    window = QWidget()
    qtbot.addWidget(window)
    editor = QLineEdit(window)
    palette = LabelPalette(window)
    palette.set_schema(DEFAULT_SCHEMA)
    palette.setFixedSize(PANEL_WIDTH, 620)
    layout = QHBoxLayout(window)
    layout.addWidget(editor)
    layout.addWidget(palette)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    return window, palette, editor


def test_clicks_emit_label_and_relation_names_and_keep_the_focus(qtbot: QtBot) -> None:
    _window, palette, editor = open_palette(qtbot)

    with qtbot.waitSignal(palette.label_chosen, timeout=1000) as chosen:
        qtbot.mouseClick(palette.label_button("LOCATION"), Qt.MouseButton.LeftButton)
    assert chosen.args == ["LOCATION"]
    with qtbot.waitSignal(palette.relation_chosen, timeout=1000) as related:
        qtbot.mouseClick(palette.relation_button("SPEAKER"), Qt.MouseButton.LeftButton)
    assert related.args == ["SPEAKER"]
    with qtbot.assertNotEmitted(palette.label_chosen):
        qtbot.mouseClick(palette.relation_button("SOURCE"), Qt.MouseButton.LeftButton)

    # The hotkeys are typed into the article: a click must not take its focus.
    assert editor.hasFocus()
    assert palette.label_button("LOCATION").focusPolicy() == Qt.FocusPolicy.NoFocus


def test_rows_show_the_schema_and_fit_the_side_panel(
    qtbot: QtBot,
    screenshot: Callable[[QWidget, str], Path],
    distinct_colours: Callable[[QImage], int],
) -> None:
    schema = DEFAULT_SCHEMA
    _window, palette, _editor = open_palette(qtbot)

    gpe = palette.label_button("GPE")
    assert (gpe.name, gpe.arabic, gpe.hotkey) == ("GPE", "كيان جغرافي سياسي", "4")
    assert gpe.colour is not None and gpe.colour.name().upper() == schema.label("GPE").color
    speaker = palette.relation_button("SPEAKER")
    assert (speaker.arabic, speaker.hotkey) == ("المتحدث", "S")
    assert speaker.detail == "QUOTE \u2192 PERSON / ORGANIZATION"
    assert "press S" in speaker.toolTip()
    for label in schema.labels:
        button = palette.label_button(label.name)
        # Every row is as tall as its content at the panel's width: nothing is clipped.
        assert button.height() >= button.heightForWidth(button.width())
        assert button.width() <= PANEL_WIDTH
    # A name and an Arabic name too wide for one line take two; short ones take one.
    long_row = palette.label_button("ORGANIZATION")
    assert long_row.heightForWidth(200) > palette.label_button("DATE").heightForWidth(200)

    palette.set_highlighted("GPE")
    assert palette.highlighted() == "GPE" and gpe.highlighted
    image = palette.grab().toImage()
    assert distinct_colours(image) > 40  # swatches, text, the highlight: not blank
    screenshot(palette, "label_palette")


def test_highlight_follows_the_selected_span_and_survives_a_new_schema(qtbot: QtBot) -> None:
    _window, palette, _editor = open_palette(qtbot)
    palette.set_highlighted("QUOTE")
    assert palette.label_button("QUOTE").highlighted
    palette.set_highlighted("PERSON")
    assert not palette.label_button("QUOTE").highlighted
    assert palette.highlighted() == "PERSON"

    recoloured = tuple(replace(label, color="#123456") if label.name == "PERSON" else label
                       for label in DEFAULT_SCHEMA.labels)
    palette.set_schema(replace(DEFAULT_SCHEMA, labels=recoloured))
    assert palette.label_button("PERSON").highlighted  # a schema edit keeps it
    assert palette.label_button("PERSON").colour.name() == "#123456"

    palette.set_highlighted("NO_SUCH_LABEL")
    assert palette.highlighted() is None
    palette.set_highlighted(None)
    assert not any(palette.label_button(n).highlighted for n in ("PERSON", "QUOTE"))
