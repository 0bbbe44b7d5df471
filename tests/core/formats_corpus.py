"""A small annotated project for the format tests: Arabic with an emoji (non-BMP),
tatweel, harakat and a clitic, two annotators, overlapping spans and relations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator.db.engine import Database
from annotator.db.models import Document, Status
from annotator.io.export import native_records
from annotator.io.importer import import_paths
from annotator.store.projects import ensure_project
from annotator.store.spans import set_status

TEXT = (
    "قال المتحدث محمد 😀: «الانتخابات ستجري» في بغداد.\n"
    "سطرٌ ثانٍ بالتطويل عن ومـــصر وحَرَكات 👍🏽 ثم مايو."
)
SECOND = "خبر قصير عن 🇪🇬 القاهرة و الأمم المتحدة."


def at(text: str, piece: str, label: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return {"start": start, "end": start + len(piece), "label": label}


def lines() -> list[dict[str, Any]]:
    salma = [
        at(TEXT, "«الانتخابات ستجري»", "QUOTE"),
        at(TEXT, "محمد", "PERSON"),
        at(TEXT, "الانتخابات", "EVENT"),  # inside the QUOTE: overlapping
        at(TEXT, "بغداد", "GPE"),
        at(TEXT, "مـــصر", "GPE"),  # tatweel, after the clitic و: inside a token
        at(TEXT, "سطرٌ ثانٍ بالتطويل عن ومـــصر وحَرَكات 👍🏽 ثم مايو.", "CLAIM"),
        at(TEXT, "مايو", "DATE"),
    ]
    return [
        {"id": "d1", "text": TEXT, "annotator": "salma", "spans": salma,
         "relations": [{"from": 0, "to": 1, "type": "SPEAKER"},
                       {"from": 5, "to": 1, "type": "SOURCE"}],
         "meta": {"site": "مثال", "n": 1}},
        {"id": "d1", "text": TEXT, "annotator": "omar",
         "spans": [at(TEXT, "محمد", "PERSON"), at(TEXT, "بغداد.", "GPE")]},
        {"id": "d2", "text": SECOND, "annotator": "salma",
         "spans": [at(SECOND, "القاهرة", "GPE"), at(SECOND, "الأمم المتحدة", "ORGANIZATION")]},
        {"id": "d3", "text": "نص لم يعلم عليه أحد.", "meta": {}},
    ]


def build(db: Database, folder: Path) -> int:
    """Fill ``db`` with the corpus (salma marked d1 done); return the project id."""
    src = folder / "corpus.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines()),
                   encoding="utf-8")
    report = import_paths(db, [src])
    assert report.ok, report.failed
    project = ensure_project(db)
    with db.reading() as s:
        d1 = s.scalar(select(Document.id).where(Document.name == "d1"))
    assert d1 is not None
    set_status(db, d1, "salma", Status.DONE)
    return project


def snapshot(
    db: Database, *, names: bool = True, meta: bool = True, status: bool = False
) -> list[tuple[Any, ...]]:
    """What the project holds, comparable across databases: per document and annotator,
    the text, the spans and the relations (by span position, not id)."""
    out = []
    for rec in native_records(db, ensure_project(db)):
        spans = [(s["start"], s["end"], s["label"]) for s in rec["spans"]]
        relations = sorted((spans[r["from"]], spans[r["to"]], r["type"])
                           for r in rec["relations"])
        out.append((rec["id"] if names else None, rec["text"], rec["annotator"],
                    sorted(spans), relations, rec["meta"] if meta else None,
                    rec["status"] if status else None))
    return sorted(out, key=lambda x: (x[1], x[2] or ""))
