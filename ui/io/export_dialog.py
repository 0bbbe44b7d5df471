"""File ▸ Export…: the project's documents and spans in any format of the registry.

The dialog offers what ``annotator export`` offers (format, filters, a split, the
format's options) and runs ``annotator.io.export.export`` as a background task. The core
writes every file under a temporary name and moves it into place at the end, so a
cancelled or failed export leaves nothing; the warnings go to ``OUT.warnings.txt``, as
the command line writes them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.db.engine import Database
from annotator.io.export import (
    ExportFilter,
    ExportReport,
    export,
    parse_split,
    write_warnings,
)
from annotator.io.formats import WriteOptions
from annotator.io.formats.bio import MISALIGNED_POLICIES, OVERLAP_POLICIES
from annotator.io.formats.registry import FORMATS, Format
from annotator.store.projects import GOLD, list_annotators, load_schema
from ui.common.settings import app_settings
from ui.common.swatches import swatch_icon
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

OVERLAP_FORMATS = ("conll", "hf", "spacy")  # BIO tags, and spaCy's doc.ents
MISALIGNED_FORMATS = ("conll", "hf")  # token-based tags
SHOWN_WARNINGS = 5
LIST_ROWS = 6  # the filter lists' height, in rows


def checkable_list(items: list[tuple[str, str]], parent: QWidget) -> QListWidget:
    """A list of (text, value) items, all checked; an empty list says so, disabled."""
    widget = QListWidget(parent)
    for text, value in items:
        item = QListWidgetItem(text, widget)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setCheckState(Qt.CheckState.Checked)
    if not items:
        QListWidgetItem("nobody has annotated yet", widget).setFlags(Qt.ItemFlag.NoItemFlags)
    return widget


def checked(widget: QListWidget) -> tuple[str, ...] | None:
    """The checked values; None when every one is (no filter, so later ones count too)."""
    values = [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())]
    chosen = tuple(
        v for i, v in enumerate(values)
        if v is not None and widget.item(i).checkState() == Qt.CheckState.Checked
    )
    return None if len(chosen) == len([v for v in values if v is not None]) else chosen


def renamed_for(path: str, old: Format, new: Format) -> str:
    """``path`` with the suffix of ``new`` instead of ``old``'s (none for a folder)."""
    if old.output == "/":
        base = path.rstrip("/")
    elif path.endswith(old.output):
        base = path.removesuffix(old.output)
    else:  # a name of the user's own: keep it
        return path
    return base if not base or new.output == "/" else base + new.output


class ExportDialog(TaskDialog):
    """Choose a format, a target and filters, then export with progress and Cancel."""

    def __init__(self, db: Database, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Export", "Export", parent)
        self.db = db
        self.project_id = project_id
        self.schema = load_schema(db, project_id)
        self.report: ExportReport | None = None
        self._format = FORMATS["jsonl"]
        writable = [(f"{f.name} \u2014 {f.summary}", n) for n, f in FORMATS.items() if f.writer]
        self.format_combo = choice_combo(writable, self.form)
        self.output_edit = QLineEdit(self.form)
        self.output_edit.setPlaceholderText("A file (a folder for brat)")
        self.browse_button = QPushButton("Browse\u2026", self.form)
        self.annotator_list = checkable_list(
            [(f"{n} (gold standard)" if n == GOLD else n, n) for n in list_annotators(db)],
            self.form,
        )
        self.label_list = checkable_list(
            [(f"{lb.name}  {isolate(lb.display_name)}", lb.name) for lb in self.schema.labels],
            self.form,
        )
        for i, lb in enumerate(self.schema.labels):
            self.label_list.item(i).setIcon(swatch_icon(lb.color))
        self.done_only_check = QCheckBox("Only documents the annotator marked done", self.form)
        self.split_edit = QLineEdit(self.form)
        self.split_edit.setPlaceholderText("none, or 80/10/10 (train/dev/test) or 90/10")
        self.seed_spin = QSpinBox(self.form)
        self.seed_spin.setRange(0, 2**31 - 1)
        self.overlap_combo = choice_combo([(p, p) for p in OVERLAP_POLICIES], self.form)
        self.misaligned_combo = choice_combo([(p, p) for p in MISALIGNED_POLICIES], self.form)
        self.offsets_combo = choice_combo(OFFSET_CHOICES, self.form)
        self._lay_out()
        self._restore()
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.browse_button.clicked.connect(self.browse)
        for edit in (self.output_edit, self.split_edit):
            edit.textChanged.connect(self.validate)
        for widget in (self.annotator_list, self.label_list):
            widget.itemChanged.connect(self.validate)
        self._format_changed()

    def _lay_out(self) -> None:
        target = QHBoxLayout()
        target.addWidget(self.output_edit, 1)
        target.addWidget(self.browse_button)
        top = QFormLayout()
        top.addRow("Format:", self.format_combo)
        top.addRow("Write to:", target)

        filters = QGroupBox("Which work", self.form)
        lists = QHBoxLayout()
        # Both lists as high as LIST_ROWS label rows (a swatch makes those the taller).
        height = self.label_list.sizeHintForRow(0) * LIST_ROWS + 2 * self.label_list.frameWidth()
        for caption, widget in (("Annotators", self.annotator_list), ("Labels", self.label_list)):
            widget.setFixedHeight(height)
            column = QVBoxLayout()
            column.addWidget(QLabel(caption, filters))
            column.addWidget(widget)
            lists.addLayout(column)
        box = QVBoxLayout(filters)
        box.addLayout(lists)
        box.addWidget(self.done_only_check)

        split = QGroupBox("Split by document", self.form)
        split_row = QHBoxLayout(split)
        split_row.addWidget(self.split_edit, 1)
        split_row.addWidget(QLabel("Seed:", split))
        split_row.addWidget(self.seed_spin)

        options = QGroupBox("Format options", self.form)
        rows = QFormLayout(options)
        rows.addRow("Overlapping spans keep:", self.overlap_combo)
        rows.addRow("A span edge inside a token:", self.misaligned_combo)
        rows.addRow("Offsets count:", self.offsets_combo)
        self.option_rows = rows

        layout = QVBoxLayout(self.form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(filters)
        layout.addWidget(split)
        layout.addWidget(options)
        self.setMinimumWidth(620)

    def _restore(self) -> None:
        settings = app_settings()
        index = self.format_combo.findData(settings.value("export/format", "jsonl"))
        self.format_combo.setCurrentIndex(max(index, 0))
        self._format = FORMATS[self.format_combo.currentData()]
        self.output_edit.setText(str(settings.value("export/output", "")))

    def selected_format(self) -> Format:
        return FORMATS[self.format_combo.currentData()]

    def _format_changed(self) -> None:
        fmt = self.selected_format()
        self.output_edit.setText(renamed_for(self.output_edit.text().strip(), self._format, fmt))
        self._format = fmt
        self.enable_rows(self.option_rows, {self.overlap_combo: fmt.name in OVERLAP_FORMATS,
                                            self.misaligned_combo: fmt.name in MISALIGNED_FORMATS,
                                            self.offsets_combo: fmt.name in OFFSET_FORMATS})
        self.validate()

    def browse(self) -> None:
        fmt = self.selected_format()
        start = self.output_edit.text().strip() or str(Path.home())
        if fmt.output == "/":
            path = QFileDialog.getExistingDirectory(self, "Export to a folder", start)
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export to", start, f"{fmt.summary} (*{fmt.output});;All files (*)"
            )
        if path:
            self.output_edit.setText(path)

    def validate(self) -> None:
        """Say what stops an export (nothing: the Export button is on)."""
        problem = ""
        if not self.output_edit.text().strip():
            problem = "Choose where to write the export."
        elif checked(self.annotator_list) == ():
            problem = "Check at least one annotator."
        elif checked(self.label_list) == ():
            problem = "Check at least one label."
        elif self.split_edit.text().strip():
            try:
                parse_split(self.split_edit.text().strip())
            except ValueError as exc:
                problem = f"The split: {exc}."
        self.seed_spin.setEnabled(bool(self.split_edit.text().strip()))
        self.set_problem(problem)

    def launch(self) -> None:
        fmt = self.selected_format()
        out = Path(self.output_edit.text().strip()).expanduser()
        split_text = self.split_edit.text().strip()
        split = parse_split(split_text) if split_text else None
        where = ExportFilter(checked(self.annotator_list), checked(self.label_list),
                             self.done_only_check.isChecked())
        names = tuple(self.schema.label_names)
        options = WriteOptions(
            labels=names, priority=names, overlap=self.overlap_combo.currentData(),
            misaligned=self.misaligned_combo.currentData(),
            offsets=self.offsets_combo.currentData(),
        )
        seed = self.seed_spin.value()
        settings = app_settings()
        settings.setValue("export/format", fmt.name)
        settings.setValue("export/output", str(out))

        def work(progress: Progress, cancel: threading.Event) -> tuple[ExportReport, Path | None]:
            report = export(self.db, self.project_id, out, format=fmt.name, where=where,
                            split=split, seed=seed, options=options, progress=progress,
                            cancel=cancel)
            log = None
            if report.warnings and not report.cancelled:
                log = write_warnings(out, report.warnings)
            return report, log

        self.run(work, lambda done, total: f"Exporting: {done:,} of {total:,} documents",
                 self._show_result, "Exporting")  # type: ignore[arg-type]

    def _show_result(self, result: tuple[ExportReport, Path | None]) -> None:
        report, log = result
        self.report = report
        if report.cancelled:
            self.show_summary("Export cancelled: nothing was written.", ())
            return
        parts = ", ".join(f"{name} {count:,}" for name, count in report.parts.items())
        headline = (
            f"Exported {counted(report.documents, 'document')}"
            f"{f' ({parts})' if parts else ''}, {counted(report.spans, 'span')}, "
            f"{counted(report.lines, 'record')} (a document per annotator)."
        )
        sections = [Section("Files written", [isolate_path(str(f)) for f in report.files])]
        if report.warnings:
            sections.append(Section(
                "Warnings: what the format could not carry",
                report.warnings[:SHOWN_WARNINGS], total=len(report.warnings),
                note=f"All of them are in {isolate_path(str(log))}",
            ))
        self.show_summary(headline, sections)
