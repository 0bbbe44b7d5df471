"""Review ▸ Agreement Report…: the core's agreement report as pictures, PNG and HTML.

The figures and the first pair's token label confusion matrix are the core's
(:func:`annotator.review.report.compute_with_confusion` on
:func:`annotator.review.data.load`, a page of documents at a time), computed in a
background :class:`Task`.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from annotator.db.engine import Database
from annotator.store.projects import load_schema
from ui.io.background import Progress, Task
from ui.review.charts import BarChart, ChartLabel, HeatMap
from ui.review.report_html import report_html
from ui.review.report_result import ReportResult, compute_report, figure


class AgreementReportDialog(QDialog):
    """Per-label F1 bars, kappa and alpha, and a confusion heat map, for chosen
    annotators (None: everyone but gold)."""

    def __init__(self, db: Database, project_id: int, annotators: Sequence[str] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agreement report")
        self.db, self.project_id = db, project_id
        self.annotators = list(annotators) if annotators else None
        self.result: ReportResult | None = None
        self.error: str | None = None
        self.display = {lb.name: lb.display_name for lb in load_schema(db, project_id).labels}

        self.status = QLabel("Computing agreement\u2026", self)
        self.pair_box = QComboBox(self)
        self.pair_box.currentIndexChanged.connect(self._show_pair)
        self.figures = QLabel(self)
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.bars = BarChart("Span F1 per label", self)
        self.heat = HeatMap("Token labels: confusion", self)
        self.charts = QWidget(self)  # what Save PNG grabs
        charts = QVBoxLayout(self.charts)
        charts.addWidget(self.figures)
        charts.addWidget(self.bars)
        charts.addWidget(self.heat, 0, Qt.AlignmentFlag.AlignLeft)
        charts.addStretch(1)
        self.charts.setAutoFillBackground(True)
        palette = self.charts.palette()
        palette.setColor(self.charts.backgroundRole(), QColor("white"))
        self.charts.setPalette(palette)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.charts)
        self.png_button = QPushButton("Save &PNG\u2026", self)
        self.html_button = QPushButton("Save &HTML\u2026", self)
        close = QPushButton("Close", self)
        for button in (self.png_button, self.html_button):
            button.setEnabled(False)
        self.png_button.clicked.connect(self._ask_png)
        self.html_button.clicked.connect(self._ask_html)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Pair:", self))
        buttons.addWidget(self.pair_box, 1)
        buttons.addStretch(1)
        for w in (self.png_button, self.html_button, close):
            buttons.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(820, 760)

        self.task = Task(self._work, self)
        self.task.finished.connect(self._show)
        self.task.failed.connect(self._failed)
        self.task.start()

    def _work(self, progress: Progress, cancel: threading.Event) -> ReportResult:
        return compute_report(self.db, self.project_id, self.annotators)

    def done(self, result: int) -> None:
        self.task.cancel()
        super().done(result)

    # -- showing -----------------------------------------------------------------------

    def chart_label(self, name: str) -> ChartLabel:
        return ChartLabel(name, self.display.get(name, ""))

    def _failed(self, message: str) -> None:
        self.error = message
        self.status.setText(f"No report: {message}")

    def _show(self, result: ReportResult) -> None:
        self.result = result
        report = result.report
        self.status.setText(
            f"{', '.join(report.annotators)}: {report.document_count:,} documents all "
            f"touched, {report.token_count:,} tokens")
        self.pair_box.blockSignals(True)
        self.pair_box.clear()
        for pair in report.pairs:
            self.pair_box.addItem(f"{pair.reference} vs {pair.other}")
        self.pair_box.blockSignals(False)
        self._show_pair(0)
        first = report.pairs[0]
        self.heat.set_data([self.chart_label(c) for c in result.codes], result.confusion,
                           first.reference, first.other)
        for button in (self.png_button, self.html_button):
            button.setEnabled(True)

    def figures_text(self) -> list[tuple[str, str]]:
        """(name, value) of the chance-corrected figures shown above the bars."""
        report = self.result.report  # type: ignore[union-attr]
        rows = [(f"Cohen's \u03ba {p.reference}\u2013{p.other}", figure(p.cohen_kappa))
                for p in report.pairs]
        rows.append(("Fleiss' \u03ba", figure(report.fleiss_kappa)))
        rows.append(("Krippendorff's \u03b1", figure(report.krippendorff_alpha)))
        return rows

    def _show_pair(self, index: int) -> None:
        if self.result is None or not 0 <= index < len(self.result.report.pairs):
            return
        pair = self.result.report.pairs[index]
        labels = list(pair.exact.per_label)
        values = [[pair.exact.per_label[x].f1, pair.overlap.per_label[x].f1] for x in labels]
        values.append([pair.exact.micro.f1, pair.overlap.micro.f1])
        values.append([pair.exact.macro_f1, pair.overlap.macro_f1])
        self.bars.title = f"Span F1 per label: {pair.reference} vs {pair.other}"
        self.bars.set_data(["exact", "overlap"],
                           [*map(self.chart_label, labels), ChartLabel("micro"),
                            ChartLabel("macro")], values)
        self.figures.setText("<b>Token agreement</b><br>" + " &nbsp; ".join(
            f"{escape(k)}: <b>{v}</b>" for k, v in self.figures_text()))

    # -- saving ------------------------------------------------------------------------

    def png_bytes(self) -> bytes:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.charts.grab().save(buffer, "PNG")
        return bytes(QByteArray(buffer.data()).data())

    def save_png(self, path: str | Path) -> None:
        Path(path).write_bytes(self.png_bytes())

    def save_html(self, path: str | Path) -> None:
        """One self-contained file: every figure as tables, and the charts as a PNG."""

        assert self.result is not None
        html = report_html(self.result, self.display, base64.b64encode(self.png_bytes()))
        Path(path).write_text(html, encoding="utf-8")

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the report as PNG",
                                              "agreement.png", "PNG images (*.png)")
        if path:
            self.save_png(path)

    def _ask_html(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the report as HTML",
                                              "agreement.html", "HTML files (*.html)")
        if path:
            self.save_html(path)
