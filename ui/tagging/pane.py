"""The right pane: the document's name above its article, or a note when there is none."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QStackedWidget, QVBoxLayout, QWidget

from ui.tagging.view import TaggingView


def empty_state_html(location: str, project: str, default_project: bool) -> str:
    """What to tell a user whose database has no documents yet."""
    project_arg = "" if default_project else f" --project {escape(project)}"
    # A server URL is shown with its password hidden, so it cannot be pasted back.
    db_arg = "URL" if "://" in location else f"&quot;{escape(location)}&quot;"
    return (
        "<h2>No documents yet</h2>"
        f"<p>The project <b>{escape(project)}</b> in<br><code>{escape(location)}</code>"
        "<br>has no documents.</p>"
        "<p>Import a corpus (.txt files, folders of them, or JSONL):<br>"
        f"<code>annotator --db {db_arg}{project_arg} import PATH</code></p>"
        "<p>or try the app on the bundled sample of Arabic news:<br>"
        "<code>annotator-gui --sample</code></p>"
    )


class ArticlePane(QWidget):
    """A title line and the article view, swapped for an empty-state note when the
    project has no documents."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("articleTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)

        self.view = TaggingView(self)

        self.empty_state = QLabel(self)
        self.empty_state.setObjectName("emptyState")
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setWordWrap(True)
        self.empty_state.setTextFormat(Qt.TextFormat.RichText)
        # Selectable, so the import command can be copied into a terminal.
        self.empty_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty_state.setContentsMargins(32, 32, 32, 32)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_state)

        self.rule = QFrame(self)
        self.rule.setFrameShape(QFrame.Shape.HLine)
        self.rule.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.rule)
        layout.addWidget(self.stack, 1)

    def show_article(self, name: str, text: str) -> bool:
        """Show a document; False when the view could not show its text unchanged."""
        self.title.setText(name)
        self._show_page(self.view)
        return self.view.show_text(text)

    def show_empty(self, html: str) -> None:
        self.title.clear()
        self.view.show_text("")
        self.empty_state.setText(html)
        self._show_page(self.empty_state)

    def _show_page(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        has_title = page is self.view
        self.title.setVisible(has_title)
        self.rule.setVisible(has_title)

    def is_empty_state(self) -> bool:
        return self.stack.currentWidget() is self.empty_state
