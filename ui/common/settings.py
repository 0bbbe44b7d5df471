"""Where the window keeps its state between runs (geometry, splitter, zoom)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANIZATION = "annotator"
APPLICATION = "annotator"


def app_settings() -> QSettings:
    """The user's settings, as an INI file on every platform.

    An explicit format keeps the location the same in tests (which point
    ``QSettings.setPath(IniFormat, UserScope, ...)`` at a temporary folder) and in the
    app, whatever organisation name the QApplication was given.
    """
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )
