"""The agreement report dialog shows the core's figures and saves PNG and HTML."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from annotator.db.engine import Database
from annotator.review import agreement_report
from annotator.store.projects import ensure_project
from tests.ui.test_review_data import add_two_annotators
from ui.io.background import Task
from ui.review import report as report_module
from ui.review.report import AgreementReportDialog


@pytest.fixture(autouse=True)
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Task, "synchronous", True)


@pytest.fixture(autouse=True)
def kept() -> Iterator[list[QWidget]]:
    """Dialogs held until the test ends, then closed. qtbot.addWidget does not keep a
    parentless dialog alive: when the test's local goes, the garbage collector may
    destroy it in the middle of a later paint event (seen as a crash in QPainter)."""
    widgets: list[QWidget] = []
    yield widgets
    for widget in widgets:
        widget.close()
        widget.deleteLater()


def open_dialog(qtbot: QtBot, db: Database, kept: list[QWidget]) -> AgreementReportDialog:
    dialog = AgreementReportDialog(db, ensure_project(db), ["huda", "omar"])
    qtbot.addWidget(dialog)
    kept.append(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_figures_equal_the_core_report(qtbot: QtBot, sample_db: Database,
                                       kept: list[QWidget]) -> None:
    add_two_annotators(sample_db)
    core = agreement_report(sample_db, ensure_project(sample_db), ["huda", "omar"])
    dialog = open_dialog(qtbot, sample_db, kept)
    assert dialog.error is None and dialog.result is not None
    assert dialog.result.report.as_dict() == core.as_dict()
    pair = core.pairs[0]
    labels = [lb.name for lb in dialog.bars.labels]
    assert labels == [*pair.exact.per_label, "micro", "macro"]
    assert dialog.bars.values[labels.index("LOCATION")] == [
        pair.exact.per_label["LOCATION"].f1, pair.overlap.per_label["LOCATION"].f1]
    assert dialog.bars.values[-2] == [pair.exact.micro.f1, pair.overlap.micro.f1]
    assert dialog.bars.labels[labels.index("LOCATION")].display == "مكان"
    shown = dict(dialog.figures_text())
    assert shown["Krippendorff's \u03b1"] == f"{core.krippendorff_alpha:.3f}"
    assert shown["Cohen's \u03ba huda\u2013omar"] == f"{pair.cohen_kappa:.3f}"
    # confusion: huda GPE / omar LOCATION on المانيا is one token off the diagonal
    codes = dialog.result.codes
    assert dialog.heat.counts[codes.index("GPE")][codes.index("LOCATION")] == 1
    assert sum(map(sum, dialog.heat.counts)) == core.token_count


def test_saves_png_and_self_contained_html(qtbot: QtBot, sample_db: Database,
                                           tmp_path: Path, kept: list[QWidget],
                                           distinct_colours: Callable[[QImage], int],
                                           screenshot: Callable[..., Path]) -> None:
    add_two_annotators(sample_db)
    dialog = open_dialog(qtbot, sample_db, kept)
    png = tmp_path / "report.png"
    dialog.save_png(png)
    image = QImage(str(png))
    assert not image.isNull() and distinct_colours(image) > 20
    html_path = tmp_path / "report.html"
    dialog.save_html(html_path)
    html = html_path.read_text(encoding="utf-8")
    assert '<bdi dir="rtl">مكان</bdi>' in html and "Krippendorff" in html
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert embedded and base64.b64decode(embedded.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http" not in html.replace("http-equiv", "")  # nothing fetched from elsewhere
    screenshot(dialog, "agreement-report")
    screenshot(dialog.charts, "agreement-report-charts")  # what Save PNG writes


def test_an_impossible_report_says_why(qtbot: QtBot, sample_db: Database,
                                       kept: list[QWidget]) -> None:
    dialog = AgreementReportDialog(sample_db, ensure_project(sample_db), ["huda", "nobody"])
    qtbot.addWidget(dialog)
    kept.append(dialog)
    assert dialog.result is None and "no annotator" in (dialog.error or "")
    assert not dialog.png_button.isEnabled()


def test_review_menu_opens_the_report(qtbot: QtBot, sample_db: Database,
                                      open_window: Callable[..., object],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    add_two_annotators(sample_db)
    window = open_window(sample_db)
    opened: list[AgreementReportDialog] = []
    monkeypatch.setattr(report_module.AgreementReportDialog, "exec",
                        lambda self: opened.append(self) or 0)
    monkeypatch.setattr("ui.main_window.choose_annotators", lambda *a: ["huda", "omar"])
    window.agreement_report_action.trigger()
    assert opened and opened[0].result is not None
    assert opened[0].result.report.annotators == ("huda", "omar")
