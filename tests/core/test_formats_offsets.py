"""Offsets at each format's boundary (UTF-16 for doccano, code points for Label Studio,
brat fragments at line breaks), and bad files: an error naming the file and line, and
nothing of that file stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.db.engine import Database, open_database
from annotator.db.models import Document, Span
from annotator.io.export import export
from annotator.io.formats import WriteOptions
from annotator.io.importer import import_paths
from annotator.store.schema import DEFAULT_SCHEMA
from tests.conftest import Backend

TEXT = "😀 قال مـــحمد: «الانتخابات» وحَرَكات"
NAME = TEXT.index("مـــحمد")  # 6 in Python; 7 in UTF-16 (the emoji is two units)
END = NAME + len("مـــحمد")


def one_doc(db: Database, tmp_path: Path, spans: list[dict]) -> None:
    line = {"id": "e", "text": TEXT, "annotator": "salma", "spans": spans}
    (tmp_path / "in.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    assert import_paths(db, [tmp_path / "in.jsonl"]).ok


def counts(db: Database) -> tuple[int, int]:
    with db.reading() as s:
        return (s.scalar(select(func.count()).select_from(Document)) or 0,
                s.scalar(select(func.count()).select_from(Span)) or 0)


def test_doccano_offsets_are_utf16_after_an_emoji(db: Database, tmp_path: Path) -> None:
    one_doc(db, tmp_path, [{"start": NAME, "end": END, "label": "PERSON"}])
    opts = WriteOptions(labels=tuple(DEFAULT_SCHEMA.label_names))
    out = export(db, 1, tmp_path / "d.jsonl", format="doccano", options=opts).files[0]
    line = json.loads(out.read_text(encoding="utf-8"))
    assert (NAME, END) == (6, 13) and line["label"] == [[NAME + 1, END + 1, "PERSON"]]
    js = TEXT.encode("utf-16-le")  # what a browser slices
    assert js[2 * (NAME + 1) : 2 * (END + 1)].decode("utf-16-le") == "مـــحمد"
    cp = export(db, 1, tmp_path / "c.jsonl", format="doccano",
                options=WriteOptions(offsets="codepoints")).files[0]
    assert json.loads(cp.read_text(encoding="utf-8"))["label"] == [[NAME, END, "PERSON"]]


def test_label_studio_offsets_are_code_points_and_utf16_on_request(
    db: Database, tmp_path: Path
) -> None:
    one_doc(db, tmp_path, [{"start": NAME, "end": END, "label": "PERSON"}])
    out = export(db, 1, tmp_path / "t.json", format="labelstudio").files[0]
    (task,) = json.loads(out.read_text(encoding="utf-8"))
    value = task["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"], value["text"]) == (NAME, END, "مـــحمد")
    old = export(db, 1, tmp_path / "old.json", format="labelstudio",
                 options=WriteOptions(offsets="utf16")).files[0]
    (task,) = json.loads(old.read_text(encoding="utf-8"))
    assert task["annotations"][0]["result"][0]["value"]["start"] == NAME + 1


def test_a_utf16_offset_inside_an_emoji_is_refused(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": TEXT, "label": [[1, 3, "PERSON"]]}) + "\n",
                   encoding="utf-8")
    report = import_paths(db, [bad], format="doccano", annotator="salma")
    ((place, reason),) = report.failed
    assert place == f"{bad}, line 1" and "inside a character" in reason
    assert counts(db) == (0, 0)


def test_brat_splits_a_span_at_line_breaks_and_joins_it_back(
    db: Database, backend: Backend, tmp_path: Path
) -> None:
    text = "سطر أول 😀\nسطر ثان"
    line = {"id": "b", "text": text, "annotator": "salma",
            "spans": [{"start": 4, "end": len(text), "label": "QUOTE"}]}
    (tmp_path / "b.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n")
    assert import_paths(db, [tmp_path / "b.jsonl"]).ok
    root = export(db, 1, tmp_path / "brat", format="brat").files[0]
    ann = (root / "salma" / "b.ann").read_text(encoding="utf-8")
    assert ann == "T1\tQUOTE 4 9;10 17\tأول 😀 سطر ثان\n"
    assert (root / "salma" / "b.txt").read_text(encoding="utf-8") == text
    again = open_database(backend.new_url("again"))
    assert import_paths(again, [root / "salma"], format="brat", annotator="salma").ok
    with again.reading() as s:
        assert s.execute(select(Span.start, Span.end)).all() == [(4, len(text))]
    again.close()


BAD = {
    "jsonl": ("x.jsonl", '{{"text": "{t}", "annotator": "a", "spans": [{{"start": 0, "end": 99, '
              '"label": "PERSON"}}]}}\n', "out of range"),
    "doccano": ("x.jsonl", '{{"text": "{t}", "label": [[0, 99, "PERSON"]]}}\n', "out of range"),
    "doccano-rel": ("x.jsonl", '{{"text": "{t}", "entities": [{{"id": 1, "label": "PERSON", '
                    '"start_offset": 0, "end_offset": 99}}]}}\n', "out of range"),
    "labelstudio": ("x.json", '[{{"data": {{"text": "{t}"}}, "annotations": [{{"result": '
                    '[{{"id": "a", "type": "labels", "value": {{"start": 0, "end": 3, '
                    '"text": "xyz", "labels": ["PERSON"]}}}}]}}]}}]\n', "does not match"),
    "prodigy": ("x.jsonl", '{{"text": "{t}", "spans": [{{"start": 0, "end": 3, "text": "xyz", '
                '"label": "PERSON"}}]}}\n', "does not match"),
    "hf": ("x.jsonl", '{{"tokens": ["a", "b"], "tags": ["B-PERSON", "X-Y"]}}\n', "neither O"),
    "conll": ("x.conll", "a\tO\nb\tB-PERSON\nc\tI-PERSON O\n", "neither O"),
}


@pytest.mark.parametrize("fmt", sorted(BAD))
def test_a_bad_line_names_file_and_line_and_stores_nothing_of_that_file(
    db: Database, tmp_path: Path, fmt: str
) -> None:
    name, content, why = BAD[fmt]
    good_line = {"text": TEXT, "annotator": "a", "spans": [{"start": NAME, "end": END,
                                                            "label": "PERSON"}]}
    ok = json.dumps(good_line, ensure_ascii=False) + "\n"
    first = ok if name.endswith(".jsonl") and fmt in ("jsonl", "prodigy") else ""
    bad = tmp_path / name
    bad.write_text(first + content.format(t=TEXT), encoding="utf-8")
    report = import_paths(db, [bad], format=fmt, annotator="salma")
    ((place, reason),) = report.failed
    line = 3 if fmt == "conll" else 2 if first else 1
    assert place == f"{bad}, line {line}", reason
    assert why in reason
    assert counts(db) == (0, 0)  # not even the good first line


def test_brat_span_text_that_does_not_match_names_the_ann_line(
    db: Database, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.ann").write_text(
        f"T1\tPERSON {NAME} {END}\tمـــحمد\nT2\tPERSON 0 3\tقال\n", encoding="utf-8")
    report = import_paths(db, [tmp_path / "a.ann"], format="brat", annotator="salma")
    ((place, reason),) = report.failed
    assert place == f"{tmp_path / 'a.ann'}, line 2" and "does not match" in reason
    assert counts(db) == (0, 0)
