"""Native JSONL export, and importing it back into a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from annotator.db.engine import Database, open_database
from annotator.db.models import Document
from annotator.io.export import export_native
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans, find_document
from annotator.store.projects import ensure_project
from annotator.store.spans import add_span
from tests.conftest import SEED_DIR, Backend

TEXT = "قال المتحدث محمد 😀: «الانتخابات ستجري» في ١٢ مايو.\nسطر ثان بالتطويل ـــ وحَرَكات."


def documents(db: Database) -> list[tuple[str, str, str, dict]]:
    with db.reading() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Document.name, Document.text, Document.sha256, Document.meta).order_by(
                    Document.name
                )
            ).all()
        ]


def test_seed_export_then_reimport_gives_the_same_documents(
    db: Database, backend: Backend, tmp_path: Path
) -> None:
    import_paths(db, [SEED_DIR])
    (tmp_path / "meta.jsonl").write_text(
        json.dumps({"id": "m", "text": "خبر", "meta": {"site": "x"}}, ensure_ascii=False) + "\n"
    )
    import_paths(db, [tmp_path / "meta.jsonl"])
    out = tmp_path / "export.jsonl"
    report = export_native(db, ensure_project(db), out)
    assert report.documents == 2 and report.lines == 2
    fresh = open_database(backend.new_url("fresh"))
    again = import_paths(fresh, [out])
    assert again.ok and len(again.imported) == 2
    assert documents(fresh) == documents(db)
    assert import_paths(fresh, [out]).duplicates  # a second time: nothing new
    fresh.close()


def test_lines_per_annotator_with_offsets_into_text(db: Database, tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "d", "text": TEXT}) + "\n")
    import_paths(db, [tmp_path / "d.jsonl"])
    doc = find_document(db, ensure_project(db), "d")
    assert doc is not None
    quote = TEXT.index("«")
    quote_end = TEXT.index("»") + 1
    person = TEXT.index("محمد")
    add_span(db, doc.id, "salma", "QUOTE", quote, quote_end)
    add_span(db, doc.id, "salma", "PERSON", person, person + 4)
    add_span(db, doc.id, "omar", "PERSON", person, person + 4)
    add_span(db, doc.id, "omar", "DATE", TEXT.index("١٢"), TEXT.index("مايو") + 4)
    out = tmp_path / "out.jsonl"
    export_native(db, ensure_project(db), out)
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["annotator"] for x in lines] == ["omar", "salma"]
    for line in lines:
        assert line["id"] == "d" and line["text"] == TEXT and line["sha256"] == doc.sha256
        for span in line["spans"]:
            assert TEXT[span["start"] : span["end"]] == span["text"]
    assert lines[1]["spans"][0] == {"start": person, "end": person + 4, "label": "PERSON",
                                    "text": "محمد"}
    only = tmp_path / "only.jsonl"
    export_native(db, ensure_project(db), only, annotators=["salma"])
    assert [json.loads(x)["annotator"] for x in only.read_text().splitlines()] == ["salma"]


def test_spans_and_relations_survive_a_round_trip(
    db: Database, backend: Backend, tmp_path: Path
) -> None:
    record = {
        "id": "r",
        "text": TEXT,
        "annotator": "salma",
        "spans": [
            {"start": TEXT.index("«"), "end": TEXT.index("»") + 1, "label": "QUOTE"},
            {"start": TEXT.index("محمد"), "end": TEXT.index("محمد") + 4, "label": "PERSON"},
            {"start": TEXT.index("الانتخابات"), "end": TEXT.index("الانتخابات") + 10,
             "label": "EVENT"},
        ],
        "relations": [{"from": 0, "to": 1, "type": "SPEAKER"}],
    }
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_paths(db, [src]).ok
    out = tmp_path / "out.jsonl"
    export_native(db, ensure_project(db), out)
    line = json.loads(out.read_text(encoding="utf-8"))
    key = sorted((s["start"], s["end"], s["label"]) for s in record["spans"])
    assert sorted((s["start"], s["end"], s["label"]) for s in line["spans"]) == key
    spans = line["spans"]
    (rel,) = line["relations"]
    assert spans[rel["from"]]["label"] == "QUOTE" and spans[rel["to"]]["label"] == "PERSON"
    assert rel["type"] == "SPEAKER"
    fresh = open_database(backend.new_url("fresh"))
    assert import_paths(fresh, [out]).ok
    out2 = tmp_path / "out2.jsonl"
    export_native(fresh, ensure_project(fresh), out2)
    assert out2.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    doc = find_document(fresh, ensure_project(fresh), "r")
    assert doc is not None
    assert {s.origin for s in document_spans(fresh, doc.id)} == {"imported"}
    fresh.close()


def test_a_cancelled_export_leaves_no_file(db: Database, tmp_path: Path) -> None:
    import threading

    import_paths(db, [SEED_DIR])
    cancel = threading.Event()
    cancel.set()
    out = tmp_path / "never.jsonl"
    report = export_native(db, ensure_project(db), out, cancel=cancel)
    assert report.cancelled and not out.exists() and not list(tmp_path.glob("*.part"))
