"""File ▸ Export…: the dialog on real databases (SQLite, PostgreSQL), driven with qtbot;
the files it writes are read back with their consumers (json, spaCy)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QListWidget

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.io.export import ExportFilter, export
from annotator.io.importer import import_paths
from annotator.store.documents import get_document, list_documents
from annotator.store.projects import ensure_annotator, ensure_project
from annotator.store.spans import add_span, set_status
from tests.ui.dialog_helpers import LEFT, Screenshot, cancel_at_first_progress, choose, shown
from ui.io.background import Task
from ui.io.export_dialog import ExportDialog, renamed_for
from ui.main_window import MainWindow


@pytest.fixture
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Task, "synchronous", True)


@pytest.fixture
def annotated(sample_db: Database) -> Database:
    """The sample (40 documents): gold spans on the first 20, salma's on the first 10
    (her first 5 done), and on the first document a gold CLAIM over the first words."""
    docs = list_documents(sample_db, ensure_project(sample_db))
    for i, doc in enumerate(docs[:20]):
        first = get_document(sample_db, doc.id).text.index(" ")  # the first word
        add_span(sample_db, doc.id, "gold", "GPE" if i % 2 else "LOCATION", 0, first)
        if i < 10:
            add_span(sample_db, doc.id, "salma", "PERSON", 0, first)
        if i < 5:
            set_status(sample_db, doc.id, "salma", Status.DONE)
    add_span(sample_db, docs[0].id, "gold", "CLAIM", 0, 30)
    return sample_db


@pytest.fixture
def big_db(tmp_path: Path, empty_db: Database) -> Database:
    """300 documents: the export reports progress every 100, so it can be cancelled."""
    db = empty_db
    source = tmp_path / "big-in.jsonl"
    source.write_text("".join(
        json.dumps({"id": f"d{i}", "text": f"خبر رقم {i} من بغداد"}, ensure_ascii=False) + "\n"
        for i in range(300)
    ), encoding="utf-8")
    assert len(import_paths(db, [source]).imported) == 300
    return db


def open_dialog(db: Database, qtbot: QtBot) -> ExportDialog:
    return shown(ExportDialog(db, ensure_project(db)), qtbot)


def choose_format(dialog: ExportDialog, name: str) -> None:
    choose(dialog.format_combo, name)


def uncheck(items: QListWidget, value: str) -> None:
    for i in range(items.count()):
        if items.item(i).data(Qt.ItemDataRole.UserRole) == value:
            items.item(i).setCheckState(Qt.CheckState.Unchecked)


def test_jsonl_with_filters_and_a_split_is_what_the_core_writes(
    annotated: Database, qtbot: QtBot, tmp_path: Path, synchronous: None,
    screenshot: Screenshot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "gold.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (str(out), "")))
    dialog = open_dialog(annotated, qtbot)
    texts = [dialog.annotator_list.item(i).text() for i in range(dialog.annotator_list.count())]
    assert texts == ["gold (gold standard)", "salma"]
    qtbot.mouseClick(dialog.browse_button, LEFT)
    assert dialog.output_edit.text() == str(out)
    uncheck(dialog.annotator_list, "salma")
    uncheck(dialog.label_list, "LOCATION")
    qtbot.keyClicks(dialog.split_edit, "80/10/10")
    dialog.seed_spin.setValue(7)
    screenshot(dialog, "export-dialog")

    qtbot.mouseClick(dialog.run_button, LEFT)

    report = dialog.report
    assert report is not None and not report.cancelled
    assert report.parts == {"train": 16, "dev": 2, "test": 2}
    parts = {p: tmp_path / f"gold.{p}.jsonl" for p in ("train", "dev", "test")}
    assert report.files == list(parts.values())
    lines = [json.loads(x) for p in parts.values() for x in p.read_text("utf-8").splitlines()]
    assert len(lines) == 20 and {line["annotator"] for line in lines} == {"gold"}
    labels = {sp["label"] for line in lines for sp in line["spans"]}
    assert labels == {"GPE", "CLAIM"}  # LOCATION left out
    # Byte for byte what the core writes with the same choices.
    kept = tuple(n for n in dialog.schema.label_names if n != "LOCATION")
    export(annotated, ensure_project(annotated), tmp_path / "core.jsonl", split=(80, 10, 10),
           seed=7, where=ExportFilter(("gold",), kept))
    for part, path in parts.items():
        assert path.read_bytes() == (tmp_path / f"core.{part}.jsonl").read_bytes()
    status = dialog.status.text()
    assert status.startswith("Exported 20 documents (train 16, dev 2, test 2), ")
    assert str(parts["train"]) in dialog.summary.toPlainText()
    assert dialog.run_button.isEnabled() and dialog.form.isEnabled()
    screenshot(dialog, "export-dialog-done")


def test_annotators_are_in_alphabetical_order_whatever_the_collation(
    empty_db: Database, qtbot: QtBot
) -> None:
    # ORDER BY name follows the database's collation: SQLite and a C-locale PostgreSQL put
    # capitals first, an en-US PostgreSQL does not. The dialog shows one order everywhere.
    for name in ("omar", "Zaid", "gold", "Layla", "سلمى", "layla"):
        ensure_annotator(empty_db, name)
    dialog = open_dialog(empty_db, qtbot)
    texts = [dialog.annotator_list.item(i).text() for i in range(dialog.annotator_list.count())]
    assert texts == ["gold (gold standard)", "Layla", "layla", "omar", "Zaid", "سلمى"]


def test_spacy_done_only_shows_the_warnings_and_where_all_of_them_are(
    annotated: Database, qtbot: QtBot, tmp_path: Path, synchronous: None,
    screenshot: Screenshot,
) -> None:
    import spacy
    from spacy.tokens import DocBin

    dialog = open_dialog(annotated, qtbot)
    choose_format(dialog, "spacy")
    assert dialog.overlap_combo.isEnabled() and not dialog.misaligned_combo.isEnabled()
    assert not dialog.offsets_combo.isEnabled()
    out = tmp_path / "done.spacy"
    qtbot.keyClicks(dialog.output_edit, str(out))
    qtbot.mouseClick(dialog.done_only_check, LEFT)
    qtbot.mouseClick(dialog.run_button, LEFT)

    assert dialog.report is not None and dialog.report.files == [out]
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("ar").vocab))
    # Only salma marked documents done: her five, with her PERSON span each.
    assert len(docs) == 5 and {d.user_data["annotator"] for d in docs} == {"salma"}
    assert all([s.label_ for s in d.spans["sc"]] == ["PERSON"] for d in docs)
    assert dialog.status.text().startswith("Exported 5 documents, 5 spans")
    assert not (tmp_path / "done.spacy.warnings.txt").exists()  # nothing to warn about

    qtbot.mouseClick(dialog.done_only_check, LEFT)  # all the work: gold's CLAIM overlaps
    qtbot.mouseClick(dialog.run_button, LEFT)
    log = tmp_path / "done.spacy.warnings.txt"
    warnings = log.read_text(encoding="utf-8").splitlines()
    assert dialog.report is not None and warnings == dialog.report.warnings
    # The CLAIM cuts a token (split to fit) and overlaps the LOCATION (kept in doc.ents).
    assert len(warnings) == 2 and "not in doc.ents" in warnings[1]
    summary = dialog.summary.toPlainText()
    assert all(w in summary for w in warnings)
    assert f"All of them are in {log}" in summary
    screenshot(dialog, "export-dialog-warnings")


def test_options_follow_the_format_and_the_name_its_suffix(
    annotated: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_dialog(annotated, qtbot)
    qtbot.keyClicks(dialog.output_edit, str(tmp_path / "corpus.jsonl"))
    expected = {  # format: overlap, misaligned, offsets enabled; the name after the change
        "conll": (True, True, False, "corpus.conll"),
        "hf": (True, True, False, "corpus.jsonl"),
        "doccano": (False, False, True, "corpus.jsonl"),
        "labelstudio": (False, False, True, "corpus.json"),
        "brat": (False, False, False, "corpus"),
        "doccano-rel": (False, False, True, "corpus.jsonl"),
        "jsonl": (False, False, False, "corpus.jsonl"),
    }
    for name, (overlap, misaligned, offsets, file) in expected.items():
        choose_format(dialog, name)
        assert (dialog.overlap_combo.isEnabled(), dialog.misaligned_combo.isEnabled(),
                dialog.offsets_combo.isEnabled()) == (overlap, misaligned, offsets), name
        assert dialog.output_edit.text() == str(tmp_path / file), name
    assert renamed_for("/x/mine.txt", dialog.selected_format(), dialog.selected_format()) \
        == "/x/mine.txt"


def test_what_stops_an_export_is_said_and_the_button_waits(
    annotated: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_dialog(annotated, qtbot)
    assert not dialog.run_button.isEnabled()
    assert dialog.problem.text() == "Choose where to write the export."
    qtbot.keyClicks(dialog.output_edit, str(tmp_path / "x.jsonl"))
    assert dialog.run_button.isEnabled() and dialog.problem.isHidden()
    qtbot.keyClicks(dialog.split_edit, "80/10/5/5")
    assert not dialog.run_button.isEnabled() and dialog.seed_spin.isEnabled()
    assert "a split is two or three numbers like 80/10/10" in dialog.problem.text()
    dialog.split_edit.clear()
    assert dialog.run_button.isEnabled() and not dialog.seed_spin.isEnabled()
    for value in ("gold", "salma"):
        uncheck(dialog.annotator_list, value)
    assert dialog.problem.text() == "Check at least one annotator."


def test_errors_of_the_core_show_in_the_dialog(
    annotated: Database, qtbot: QtBot, tmp_path: Path, synchronous: None
) -> None:
    dialog = open_dialog(annotated, qtbot)
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("mine", encoding="utf-8")
    choose_format(dialog, "brat")
    qtbot.keyClicks(dialog.output_edit, str(mine))
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.status.text() == (
        f"Failed: {mine} exists and is not a brat export; choose a new folder")
    assert "color" in dialog.status.styleSheet() and dialog.run_button.isEnabled()
    assert [p.name for p in mine.iterdir()] == ["todo.txt"]

    choose_format(dialog, "jsonl")
    dialog.output_edit.setText(str(tmp_path / "no" / "such" / "x.jsonl"))
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.status.text().startswith("Failed: No such file or directory: ")
    assert not (tmp_path / "no").exists()


def test_cancel_at_the_first_progress_leaves_no_file(
    big_db: Database, qtbot: QtBot, tmp_path: Path, synchronous: None
) -> None:
    dialog = open_dialog(big_db, qtbot)
    qtbot.keyClicks(dialog.output_edit, str(tmp_path / "out" / "big.jsonl"))
    (tmp_path / "out").mkdir()
    qtbot.keyClicks(dialog.split_edit, "90/10")
    # The first progress (after 100 documents) presses Cancel, as a user would.
    dialog.progress_bar.valueChanged.connect(
        lambda value: dialog.cancel_button.isEnabled() and dialog.cancel_button.click())
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.report is not None and dialog.report.cancelled
    assert dialog.report.documents == 100
    assert list((tmp_path / "out").iterdir()) == []  # no part, no .part, no warnings
    assert dialog.status.text() == "Export cancelled: nothing was written."


def test_cancel_on_the_worker_thread_leaves_no_file(
    big_db: Database, qtbot: QtBot, tmp_path: Path, screenshot: Screenshot
) -> None:
    assert not Task.synchronous
    dialog = open_dialog(big_db, qtbot)
    out = tmp_path / "out"
    out.mkdir()
    qtbot.keyClicks(dialog.output_edit, str(out / "big.jsonl"))
    pressed = cancel_at_first_progress(dialog, qtbot)
    qtbot.mouseClick(dialog.run_button, LEFT)
    assert dialog.running and not dialog.form.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)

    assert pressed == [threading.current_thread().name]
    assert dialog.report is not None and dialog.report.cancelled
    assert dialog.report.documents == 100
    assert list(out.iterdir()) == []
    assert dialog.form.isEnabled() and dialog.run_button.isEnabled()


def test_closing_during_an_export_cancels_it_then_closes(
    big_db: Database, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_dialog(big_db, qtbot)
    qtbot.keyClicks(dialog.output_edit, str(tmp_path / "big.jsonl"))
    go_on = threading.Event()
    dialog.task_started.connect(lambda task: task.progress.connect(
        lambda done, total: go_on.wait(10), Qt.ConnectionType.DirectConnection))
    qtbot.mouseClick(dialog.run_button, LEFT)
    dialog.reject()  # Esc or the window's close button
    assert dialog.isVisible() and dialog.status.text() == "Cancelling\u2026"
    go_on.set()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert dialog.report is not None and dialog.report.cancelled
    assert not (tmp_path / "big.jsonl").exists()


def test_file_export_opens_the_dialog_on_the_window_project(
    sample_db: Database, open_window: Callable[..., MainWindow], qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[ExportDialog] = []

    def exec_(dialog: ExportDialog) -> int:
        opened.append(dialog)
        return 0

    monkeypatch.setattr(ExportDialog, "exec", exec_)
    window = open_window(sample_db)
    qtbot.keyClick(window.document_list.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 1
    assert opened[0].project_id == window.project_id and opened[0].parent() is window
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts[:2] == ["&Import\u2026", "&Export\u2026"]
    file_menu.actions()[1].trigger()
    assert len(opened) == 2
