"""The bundled Arabic reading font (Amiri, OFL-1.1) and the article font built from it."""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QTextOption

log = logging.getLogger(__name__)

FONT_PACKAGE = "annotator_resources.fonts"
FONT_FILES = ("Amiri-Regular.ttf", "Amiri-Bold.ttf")
# Tried in order when Amiri is missing or lacks a glyph: Noto Naskh where installed, then
# DejaVu Sans, the only font with (partial) Arabic on a bare Linux machine.
FALLBACK_FAMILIES = ("Noto Naskh Arabic", "DejaVu Sans")
ARTICLE_POINT_SIZE = 18.0

_loaded: list[str] | None = None


def load_bundled_fonts() -> list[str]:
    """Register the bundled fonts with Qt once; return their family names.

    Must run after the QApplication exists: registering a font before it crashes the
    process (ARABIC.md). The bytes are read through importlib.resources so this also
    works from a wheel or zip, where the files have no path on disk.
    """
    global _loaded
    if _loaded is not None:
        return _loaded
    if QGuiApplication.instance() is None:
        raise RuntimeError("load_bundled_fonts() needs a QApplication first")
    families: list[str] = []
    for name in FONT_FILES:
        data = (resources.files(FONT_PACKAGE) / name).read_bytes()
        font_id = QFontDatabase.addApplicationFontFromData(data)
        if font_id < 0:
            log.warning("could not load bundled font %s", name)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    _loaded = families
    return families


def article_font(point_size: float = ARTICLE_POINT_SIZE) -> QFont:
    """The font for reading articles: Amiri, then the fallbacks, at ``point_size``."""
    font = QFont()
    font.setFamilies([*load_bundled_fonts(), *FALLBACK_FAMILIES])
    font.setPointSizeF(point_size)
    return font


ARABIC_SCALE = 1.3  # Amiri's letters are small for their point size beside DejaVu Sans


def arabic_font(base: QFont) -> QFont:
    """The bundled Arabic font at a size that reads like ``base`` (for Arabic-only text)."""
    return article_font(base.pointSizeF() * ARABIC_SCALE)


def right_to_left_option() -> QTextOption:
    """A text option for drawing Arabic right-aligned and right to left."""
    option = QTextOption(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute
                         | Qt.AlignmentFlag.AlignVCenter)
    option.setTextDirection(Qt.LayoutDirection.RightToLeft)
    option.setWrapMode(QTextOption.WrapMode.NoWrap)
    return option
