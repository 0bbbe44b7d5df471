"""File ▸ Import…: the dialog on real databases (SQLite, PostgreSQL) and real files, driven
with qtbot."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFileDialog

from annotator.db.engine import Database
from annotator.store.documents import document_spans, find_document, get_document, list_documents
from annotator.store.projects import ensure_annotator, ensure_project
from tests.ui.dialog_helpers import LEFT, Screenshot, cancel_at_first_progress, choose, shown
from ui.io.background import Task
from ui.io.import_dialog import FROM_FILE, ImportDialog
from ui.main_window import MainWindow

NEWS = "أعلنت المفوضية العليا للانتخابات في بغداد نتائج الانتخابات."
OTHER = "قال المتحدث محمد: «الانتخابات ستجري» في 12 مايو."  # cp1256 has no ١٢


@pytest.fixture
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Task, "synchronous", True)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder: a good article, one in cp1256 (not UTF-8), a duplicate, an empty file."""
    folder = tmp_path / "corpus"
    (folder / "2016").mkdir(parents=True)
    (folder / "خبر.txt").write_text(NEWS, encoding="utf-8")
    (folder / "2016" / "old.txt").write_bytes(OTHER.encode("cp1256"))
    (folder / "نسخة").mkdir()
    (folder / "نسخة" / "خبر.txt").write_text("\ufeff" + NEWS, encoding="utf-8")  # a BOM
    (folder / "empty.txt").write_bytes(b"")
    return folder


def open_dialog(db: Database, qtbot: QtBot, annotator: str | None = "tester") -> ImportDialog:
    return shown(ImportDialog(db, ensure_project(db), "default", annotator=annotator), qtbot)


def x_of(document: QTextDocument, position: int) -> float:
    """Where the caret before character ``position`` of a laid-out document is drawn."""
    block = document.findBlock(position)
    line = block.layout().lineForTextPosition(position - block.position())
    return float(line.cursorToX(position - block.position())[0])


def choose_format(dialog: ImportDialog, name: str | None) -> None:
    choose(dialog.format_combo, name)


def test_a_folder_imports_and_the_summary_lists_every_file(
    empty_db: Database, corpus: Path, qtbot: QtBot, synchronous: None,
    screenshot: Screenshot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *args: str(corpus)))
    dialog = open_dialog(empty_db, qtbot)
    assert not dialog.run_button.isEnabled()
    assert dialog.problem.text() == "Add files or a folder to import."
    qtbot.mouseClick(dialog.add_folder_button, LEFT)
    assert dialog.paths() == [str(corpus)]
    screenshot(dialog, "import-dialog")

    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.run_button, LEFT)

    report = dialog.report
    assert report is not None
    assert report.imported == ["خبر"]
    assert report.duplicates == [(str(corpus / "نسخة" / "خبر.txt"), "خبر")]
    assert report.skipped == [(str(corpus / "empty.txt"), "empty file")]
    assert [place for place, _ in report.failed] == [f"{corpus / '2016' / 'old.txt'}, line 1"]
    assert dialog.status.text() == (
        "Imported 1 document with 0 spans; 1 duplicate, 1 skipped, 1 failed.")
    shown = dialog.summary.toPlainText()
    summary = re.sub("[\u200e\u2068\u2069]", "", shown)  # the bidi marks, invisible
    for line in (
        f"{corpus / '2016' / 'old.txt'}, line 1: not valid utf-8 at column 1 "
        "(a legacy corpus? try --encoding cp1256)",
        f"{corpus / 'empty.txt'}: empty file",
        f"{corpus / 'نسخة' / 'خبر.txt'}: same text as خبر",
    ):
        assert line in summary
    assert f"{corpus / 'empty.txt'}: empty file" in shown  # no marks without Arabic
    assert "\n\u2068خبر\u2069" in shown  # an Arabic name is isolated
    assert summary.index("Failed") < summary.index("Skipped") < summary.index("Duplicates")
    assert [row.name for row in list_documents(empty_db, ensure_project(empty_db))] == ["خبر"]
    # Arabic reads right to left (x falls along a word), and the duplicate's path keeps
    # its folders in order: "نسخة/خبر.txt" does not turn into one reversed run.
    copy = shown.index("نسخة")
    name = shown.index("خبر", copy)
    assert x_of(dialog.summary.document(), copy + 1) > x_of(dialog.summary.document(), copy + 2)
    assert x_of(dialog.summary.document(), copy + 2) < x_of(dialog.summary.document(), name + 1)
    screenshot(dialog, "import-dialog-done")

    # The legacy file again, in its codec: now it imports.
    dialog.path_list.clear()
    dialog.add_paths([str(corpus / "2016" / "old.txt")])
    dialog.encoding_combo.setCurrentText("cp1256")
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.report is not None and dialog.report.imported == ["old"]
    doc = find_document(empty_db, ensure_project(empty_db), "old")
    assert doc is not None and doc.text == OTHER


def test_annotator_choices_are_in_alphabetical_order(empty_db: Database, qtbot: QtBot) -> None:
    for name in ("omar", "Zaid", "gold", "Layla"):
        ensure_annotator(empty_db, name)
    dialog = open_dialog(empty_db, qtbot, annotator="tester")
    combo = dialog.annotator_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == [FROM_FILE, "gold", "Layla", "omar", "tester", "Zaid"]


def test_jsonl_spans_go_to_the_annotator_chosen(
    empty_db: Database, tmp_path: Path, qtbot: QtBot, synchronous: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "tool-export.jsonl"
    start = NEWS.index("بغداد")
    source.write_text(json.dumps({"id": "baghdad", "text": NEWS, "spans": [
        {"start": start, "end": start + 5, "label": "GPE"}]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *args: ([str(source)], "")))
    dialog = open_dialog(empty_db, qtbot, annotator="tester")
    qtbot.mouseClick(dialog.add_files_button, LEFT)
    choose_format(dialog, "jsonl")
    assert dialog.annotator_combo.currentText() == FROM_FILE  # native lines name theirs
    assert not dialog.encoding_combo.isEnabled() and not dialog.sentences_spin.isEnabled()
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.report is not None and dialog.report.imported == []
    assert 'spans need an "annotator"' in dialog.summary.toPlainText()

    dialog.annotator_combo.setCurrentText("salma")
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.report is not None and dialog.report.imported == ["baghdad"]
    assert dialog.status.text().startswith("Imported 1 document with 1 span;")
    doc = find_document(empty_db, ensure_project(empty_db), "baghdad")
    assert doc is not None
    spans = document_spans(empty_db, doc.id, "salma")
    assert [(s.label, s.start, s.end) for s in spans] == [("GPE", start, start + 5)]


def test_names_longer_than_their_columns_fail_their_file_on_every_database(
    empty_db: Database, tmp_path: Path, qtbot: QtBot, synchronous: None
) -> None:
    # document.name holds 512 characters, annotator.name 128: SQLite would keep longer
    # names, PostgreSQL raised DataError and dropped the whole batch.
    long_id, fine = tmp_path / "long-id.jsonl", tmp_path / "fine.jsonl"
    long_id.write_text(json.dumps({"id": "ن" * 513, "text": NEWS}) + "\n", encoding="utf-8")
    start = NEWS.index("بغداد")
    fine.write_text(json.dumps({"id": "baghdad", "text": NEWS, "spans": [
        {"start": start, "end": start + 5, "label": "GPE"}]}) + "\n", encoding="utf-8")
    dialog = open_dialog(empty_db, qtbot)
    dialog.add_paths([str(long_id), str(fine)])
    choose_format(dialog, "jsonl")
    dialog.annotator_combo.setCurrentText("م" * 129)
    qtbot.mouseClick(dialog.run_button, LEFT)

    assert dialog.report is not None and dialog.report.imported == []
    assert dialog.report.failed == [
        (f"{long_id}, line 1", "the document id has 513 characters; at most 512 fit"),
        (f"{fine}, line 1", "an annotator name has 129 characters; at most 128 fit"),
    ]
    assert list_documents(empty_db, ensure_project(empty_db)) == []

    dialog.path_list.clear()
    dialog.add_paths([str(fine)])
    dialog.annotator_combo.setCurrentText("م" * 128)
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.report is not None and dialog.report.imported == ["baghdad"]


def test_newsfane_documents_of_n_sentences_for_the_current_annotator(
    empty_db: Database, tmp_path: Path, qtbot: QtBot, synchronous: None
) -> None:
    source = tmp_path / "newsfane.txt"
    sentences = [[("بغداد", "B-Population-Center"), ("تستعد", "O")],
                 [("المفوضية", "B-Government"), ("تعلن", "O")],
                 [("عمان", "B-Population-Center"), (".", "O")]]
    source.write_bytes(("\ufeff" + "".join(
        "".join(f"{token}\t{tag}\r\n" for token, tag in s) + "\t\r\n" for s in sentences
    )).encode("utf-8"))
    dialog = open_dialog(empty_db, qtbot, annotator="gold")
    dialog.add_paths([str(source)])
    choose_format(dialog, "newsfane")
    assert dialog.sentences_spin.isEnabled() and not dialog.offsets_combo.isEnabled()
    assert dialog.annotator_combo.currentText() == "gold"  # its files name nobody
    dialog.annotator_combo.setCurrentText("")
    assert dialog.problem.text() == "These files name no annotator: say whose spans they hold."
    dialog.annotator_combo.setCurrentText("gold")
    dialog.sentences_spin.setValue(2)
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.report is not None
    assert dialog.report.imported == ["newsfane-0001", "newsfane-0002"]
    assert dialog.report.spans == 3
    first = find_document(empty_db, ensure_project(empty_db), "newsfane-0001")
    assert first is not None and first.text == "بغداد تستعد\nالمفوضية تعلن"
    assert [s.label for s in document_spans(empty_db, first.id, "gold")] == [
        "GPE", "ORGANIZATION"]


def test_an_unknown_encoding_is_refused_before_the_run(
    empty_db: Database, corpus: Path, qtbot: QtBot
) -> None:
    dialog = open_dialog(empty_db, qtbot)
    dialog.add_paths([str(corpus)])
    assert dialog.run_button.isEnabled()
    dialog.encoding_combo.setCurrentText("arabic-dos")
    assert dialog.problem.text() == "Python knows no encoding 'arabic-dos' (try cp1256 or utf-8)."
    assert not dialog.run_button.isEnabled()
    choose_format(dialog, "jsonl")  # the encoding is for .txt files only
    assert dialog.run_button.isEnabled() and not dialog.encoding_combo.isEnabled()


def test_cancel_on_the_worker_thread_keeps_what_is_whole(
    empty_db: Database, tmp_path: Path, qtbot: QtBot
) -> None:
    for i in range(5):
        (tmp_path / f"a{i}.txt").write_text(f"{NEWS} {i}", encoding="utf-8")
    dialog = open_dialog(empty_db, qtbot)
    dialog.add_paths([str(tmp_path / f"a{i}.txt") for i in range(5)])
    pressed = cancel_at_first_progress(dialog, qtbot)
    with qtbot.waitSignal(dialog.imported, timeout=10_000):
        qtbot.mouseClick(dialog.run_button, LEFT)
    assert len(pressed) == 1 and dialog.report is not None and dialog.report.cancelled
    assert dialog.status.text().startswith("Cancelled. Imported 0 documents")
    assert list_documents(empty_db, ensure_project(empty_db)) == []  # the batch was dropped


def test_file_import_reloads_the_list_and_keeps_the_open_document(
    sample_db: Database, corpus: Path, open_window: Callable[..., MainWindow], qtbot: QtBot,
    synchronous: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def exec_(dialog: ImportDialog) -> int:  # what a user does in the modal dialog
        assert dialog.windowTitle() == "Import into default"
        dialog.add_paths([str(corpus)])
        qtbot.mouseClick(dialog.run_button, LEFT)
        return 0

    monkeypatch.setattr(ImportDialog, "exec", exec_)
    window = open_window(sample_db)
    window.next_document()
    window.next_document()
    opened = window.current_document_id()
    assert opened is not None and window.document_list.proxy.rowCount() == 40
    qtbot.keyClick(window.document_list.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert window.document_list.proxy.rowCount() == 41
    assert window.current_document_id() == opened
    assert window.article.view.text() == get_document(sample_db, opened).text
