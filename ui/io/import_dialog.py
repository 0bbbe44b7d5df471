"""File ▸ Import…: files and folders into the project, as ``annotator import`` does.

``annotator.io.importer.import_paths`` runs as a background task: it stores whole
documents batch by batch, so a cancel keeps what was stored and nothing half. The
summary lists every file that failed (with its line), was skipped or held a duplicate.
"""

from __future__ import annotations

import codecs
import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.db.engine import Database
from annotator.io.formats.registry import FORMATS
from annotator.io.importer import ImportReport, import_paths
from annotator.store.projects import list_annotators, name_order
from ui.common.settings import app_settings
from ui.io.background import Progress
from ui.io.task_dialog import (
    OFFSET_CHOICES,
    OFFSET_FORMATS,
    Section,
    TaskDialog,
    choice_combo,
    counted,
    isolate,
    isolate_path,
)

AUTO = "Automatic: .txt articles and native .jsonl, by suffix"
ENCODINGS = ("utf-8", "cp1256", "iso-8859-6", "utf-16")  # Arabic corpora's usual codecs
FROM_FILE = "(as each file says)"
NAMELESS_FORMATS = ("conll", "newsfane", "brat")  # their files name no annotator
SENTENCE_FORMATS = ("conll", "newsfane")  # documents cut every N sentences


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


class ImportDialog(TaskDialog):
    """Choose files or folders and how to read them; import with progress and Cancel.

    ``imported`` is emitted after every run that may have stored something, so the
    window reloads its document list.
    """

    imported = Signal()

    def __init__(self, db: Database, project_id: int, project_name: str,
                 parent: QWidget | None = None, *, annotator: str | None = None) -> None:
        super().__init__(f"Import into {project_name}", "Import", parent)
        self.db = db
        self.project_id = project_id
        self.project_name = project_name
        self.annotator = annotator
        self.report: ImportReport | None = None
        self.path_list = QListWidget(self.form)
        self.path_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.add_files_button = QPushButton("Add Files\u2026", self.form)
        self.add_folder_button = QPushButton("Add Folder\u2026", self.form)
        self.remove_button = QPushButton("Remove", self.form)
        readable = [(f"{f.name} \u2014 {f.summary}", n) for n, f in FORMATS.items() if f.reader]
        self.format_combo = choice_combo([(AUTO, None), *readable], self.form)
        self.encoding_combo = QComboBox(self.form)
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.annotator_combo = QComboBox(self.form)
        self.annotator_combo.setEditable(True)
        self.annotator_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        names = sorted(set(list_annotators(db)) | ({annotator} if annotator else set()),
                       key=name_order)
        self.annotator_combo.addItems([FROM_FILE, *names])
        self.sentences_spin = QSpinBox(self.form)
        self.sentences_spin.setRange(1, 1_000_000)
        self.sentences_spin.setValue(50)
        self.offsets_combo = choice_combo(OFFSET_CHOICES, self.form)
        self._lay_out()
        self.add_files_button.clicked.connect(self.add_files)
        self.add_folder_button.clicked.connect(self.add_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.encoding_combo.currentTextChanged.connect(self.validate)
        self.annotator_combo.currentTextChanged.connect(self.validate)
        self._format_changed()

    def _lay_out(self) -> None:
        buttons = QVBoxLayout()
        for button in (self.add_files_button, self.add_folder_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        paths = QHBoxLayout()
        paths.addWidget(self.path_list, 1)
        paths.addLayout(buttons)
        # Long paths: the middle gives way, the file name stays; the tooltip has it all.
        self.path_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.path_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.path_list.setFixedHeight(4 * self.path_list.fontMetrics().lineSpacing() + 12)
        rows = QFormLayout(self.form)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addRow(QLabel("Files and folders to import:", self.form))
        rows.addRow(paths)
        rows.addRow("Format:", self.format_combo)
        rows.addRow("Encoding of .txt files:", self.encoding_combo)
        rows.addRow("Spans belong to:", self.annotator_combo)
        rows.addRow("Sentences per document:", self.sentences_spin)
        rows.addRow("Offsets count:", self.offsets_combo)
        self.rows = rows
        self.setMinimumWidth(620)

    # -- the form ----------------------------------------------------------------------

    def paths(self) -> list[str]:
        return [self.path_list.item(i).text() for i in range(self.path_list.count())]

    def add_paths(self, paths: list[str]) -> None:
        """Add files or folders to import (each once)."""
        have = set(self.paths())
        for path in paths:
            if path and path not in have:
                item = QListWidgetItem(path, self.path_list)
                item.setToolTip(path)
                have.add(path)
        if paths:
            app_settings().setValue("import/folder", str(Path(paths[-1]).parent))
        self.validate()

    def add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import files", self._start_folder())
        self.add_paths(files)

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder", self._start_folder())
        self.add_paths([folder] if folder else [])

    def remove_selected(self) -> None:
        for item in self.path_list.selectedItems():
            self.path_list.takeItem(self.path_list.row(item))
        self.validate()

    def _start_folder(self) -> str:
        return str(app_settings().value("import/folder", str(Path.home())))

    def _format_changed(self) -> None:
        name = self.format_combo.currentData()
        # Files that name no annotator need one: the current annotator, to start with.
        if name in NAMELESS_FORMATS and self.annotator_combo.currentText() == FROM_FILE:
            self.annotator_combo.setCurrentText(self.annotator or "")
        elif name not in NAMELESS_FORMATS and self.annotator_combo.currentText() == (
            self.annotator or ""
        ):
            self.annotator_combo.setCurrentText(FROM_FILE)
        self.enable_rows(self.rows, {self.encoding_combo: name is None,
                                     self.sentences_spin: name in SENTENCE_FORMATS,
                                     self.offsets_combo: name in OFFSET_FORMATS})
        self.validate()

    def chosen_annotator(self) -> str | None:
        text = self.annotator_combo.currentText().strip()
        return None if text in ("", FROM_FILE) else text

    def validate(self) -> None:
        """Say what stops an import (nothing: the Import button is on)."""
        problem = ""
        encoding = self.encoding_combo.currentText().strip()
        if not self.paths():
            problem = "Add files or a folder to import."
        elif self.encoding_combo.isEnabled():
            try:
                codecs.lookup(encoding)
            except LookupError:
                problem = f"Python knows no encoding {encoding!r} (try cp1256 or utf-8)."
        if not problem and self.format_combo.currentData() in NAMELESS_FORMATS and (
            self.chosen_annotator() is None
        ):
            problem = "These files name no annotator: say whose spans they hold."
        self.set_problem(problem)

    # -- the run -----------------------------------------------------------------------

    def launch(self) -> None:
        paths = self.paths()
        options = {
            "project": self.project_name,
            "format": self.format_combo.currentData(),
            "encoding": self.encoding_combo.currentText().strip() or "utf-8",
            "annotator": self.chosen_annotator(),
            "doc_sentences": self.sentences_spin.value(),
            "offsets": self.offsets_combo.currentData(),
        }

        def work(progress: Progress, cancel: threading.Event) -> ImportReport:
            return import_paths(self.db, paths, progress=progress, cancel=cancel, **options)

        self.run(work, lambda done, total: f"Reading: {megabytes(done)} of {megabytes(total)}",
                 self._show_result, "Importing")  # type: ignore[arg-type]

    def after_failure(self) -> None:
        self.imported.emit()  # batches before the error are stored

    def _show_result(self, report: ImportReport) -> None:
        self.report = report
        n = len(report.imported)
        headline = (
            f"Imported {counted(n, 'document')} with {counted(report.spans, 'span')}; "
            f"{counted(len(report.duplicates), 'duplicate')}, {len(report.skipped):,} "
            f"skipped, {len(report.failed):,} failed."
        )
        if report.cancelled:
            headline = f"Cancelled. {headline} What was imported stays, whole documents only."
        sections = [
            Section("Failed: nothing of these files was stored",
                    [f"{isolate_path(place)}: {why}" for place, why in report.failed]),
            Section("Skipped",
                    [f"{isolate_path(place)}: {why}" for place, why in report.skipped]),
            Section("Duplicates: the same text is in the project already",
                    [f"{isolate_path(place)}: same text as {isolate(name)}"
                     for place, name in report.duplicates]),
            Section("Imported", [isolate(name) for name in report.imported]),
        ]
        self.show_summary(headline, [s for s in sections if s.rows])
        self.imported.emit()
