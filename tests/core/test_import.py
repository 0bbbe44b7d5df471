"""Importing .txt files, folders and JSONL into a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from annotator.db.engine import Database
from annotator.db.models import Document
from annotator.io.importer import import_paths
from annotator.store.documents import find_document, list_documents
from annotator.text.canonical import text_sha256
from tests.conftest import SEED_DIR

ARTICLE = "قال وزير الخارجية إن الانتخابات ستجري في موعدها.\nوأضاف: \"لا تأجيل\"."


def texts(db: Database) -> dict[str, str]:
    with db.reading() as s:
        return dict(s.execute(select(Document.name, Document.text)).all())


def count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Document)) or 0


def test_seed_article_text_is_kept_exactly(db: Database) -> None:
    seed = next(SEED_DIR.glob("*.txt"))
    report = import_paths(db, [SEED_DIR])
    assert report.ok and report.imported == [seed.stem]
    stored = find_document(db, 1, seed.stem)
    assert stored is not None
    expected = seed.read_bytes().decode("utf-8")
    assert stored.text == expected
    assert stored.sha256 == text_sha256(expected)
    assert stored.source_path == str(seed)


def test_crlf_and_cr_become_lf_and_bom_is_stripped(db: Database, tmp_path: Path) -> None:
    (tmp_path / "crlf.txt").write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "cr.txt").write_bytes(("x" + ARTICLE).replace("\n", "\r").encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + ("y" + ARTICLE).encode("utf-8"))
    report = import_paths(db, sorted(tmp_path.glob("*.txt")))
    assert report.ok and len(report.imported) == 3
    got = texts(db)
    assert got["crlf"] == ARTICLE
    assert got["cr"] == "x" + ARTICLE
    assert got["bom"] == "y" + ARTICLE
    assert all("\r" not in t and "\ufeff" not in t for t in got.values())


def test_cp1256_needs_the_encoding_option(db: Database, tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(ARTICLE.encode("cp1256"))
    failed = import_paths(db, [legacy])
    assert not failed.ok and count(db) == 0
    place, reason = failed.failed[0]
    assert str(legacy) in place and "line 1" in place
    assert "utf-8" in reason and "--encoding cp1256" in reason
    report = import_paths(db, [legacy], encoding="cp1256")
    assert report.ok and texts(db) == {"legacy": ARTICLE}


def test_undecodable_file_fails_with_its_line_and_others_still_import(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "bad.txt").write_bytes("سطر أول\nسطر ثان\n".encode() + b"\xff\xfe broken")
    report = import_paths(db, [folder])
    assert report.imported == ["good"]
    assert len(report.failed) == 1
    place, reason = report.failed[0]
    assert place == f"{folder / 'bad.txt'}, line 3"
    assert "not valid utf-8" in reason
    assert texts(db) == {"good": ARTICLE}


def test_empty_and_binary_files_are_skipped_with_a_reason(db: Database, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b" \r\n\n")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "utf16.txt").write_bytes(ARTICLE.encode("utf-16"))
    report = import_paths(db, sorted(tmp_path.glob("*.txt")))
    reasons = {Path(place).name: why for place, why in report.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"].startswith("empty file")
    assert reasons["image.txt"].startswith("binary file")
    assert "utf-16" in reasons["utf16.txt"]
    assert report.ok and count(db) == 0
    again = import_paths(db, [tmp_path / "utf16.txt"], encoding="utf-16")
    assert again.ok and texts(db) == {"utf16": ARTICLE}


def test_same_text_again_is_a_reported_duplicate(db: Database, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    report = import_paths(db, [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert report.imported == ["a"]
    assert report.duplicates == [(str(tmp_path / "b.txt"), "a")]
    again = import_paths(db, [tmp_path / "a.txt"])
    assert again.imported == [] and again.duplicates == [(str(tmp_path / "a.txt"), "a")]
    assert again.ok and count(db) == 1


def test_folders_are_recursive_and_named_by_relative_path(db: Database, tmp_path: Path) -> None:
    (tmp_path / "2016" / "12").mkdir(parents=True)
    (tmp_path / "2016" / "12" / "aleppo.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "top.txt").write_text("خبر آخر", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    report = import_paths(db, [tmp_path])
    assert sorted(report.imported) == ["2016/12/aleppo", "top"]
    assert [row.name for row in list_documents(db, 1)] == ["2016/12/aleppo", "top"]


def test_jsonl_with_id_and_meta(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    lines = [
        {"id": "a1", "text": ARTICLE, "meta": {"site": "example", "date": "2016-12-08"}},
        {"text": "خبر بلا معرف\r\nسطر"},
        {"id": 7, "text": "  "},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n")
    report = import_paths(db, [path])
    assert report.imported == ["a1", "news:2"]
    assert report.skipped == [(f"{path}, line 3", "empty text")]
    doc = find_document(db, 1, "a1")
    assert doc is not None and doc.meta == {"site": "example", "date": "2016-12-08"}
    assert texts(db)["news:2"] == "خبر بلا معرف\nسطر"


def test_bad_jsonl_line_stores_nothing_of_that_file(db: Database, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "ok", "text": ARTICLE}) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"id": "x", "text": "نص أول"}) + "\n" + json.dumps({"id": "y", "text": 5}) + "\n"
    )
    report = import_paths(db, [bad, good])
    assert report.failed == [(f"{bad}, line 2", '"text" must be a string, not int')]
    assert texts(db) == {"ok": ARTICLE}


def test_jsonl_spans_are_checked_against_the_text(db: Database, tmp_path: Path) -> None:
    text = "قال محمد 😀 في القاهرة"
    path = tmp_path / "spans.jsonl"
    record = {
        "id": "d",
        "text": text,
        "annotator": "salma",
        "spans": [{"start": 4, "end": 9, "label": "PERSON", "text": "محمد"}],
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n")
    report = import_paths(db, [path])
    assert not report.ok and count(db) == 0
    assert "does not match" in report.failed[0][1] and report.failed[0][0].endswith("line 1")
    record["spans"] = [{"start": 14, "end": 21, "label": "LOCATION", "text": "القاهرة"}]
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n")
    report = import_paths(db, [path])
    assert report.ok and report.spans == 1
    assert text[14:21] == "القاهرة"  # after the emoji: one str index, two UTF-16 units

