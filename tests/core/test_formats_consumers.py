"""The exports load in the tools they are for: spaCy, Hugging Face datasets; and the
NewsFANE gold corpus comes back out as CoNLL tag for tag."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.db.engine import Database
from annotator.io.export import ExportFilter, export, native_records
from annotator.io.formats import WriteOptions
from annotator.io.formats.newsfane import SCHEMA_LABEL, read_sentences
from annotator.io.importer import import_paths
from annotator.store.schema import DEFAULT_SCHEMA
from tests.conftest import NEWSFANE
from tests.core.formats_corpus import build

LABELS = tuple(DEFAULT_SCHEMA.label_names)


def test_spacy_loads_the_docbin_and_char_span_gives_every_span(
    db: Database, tmp_path: Path
) -> None:
    import spacy
    from spacy.tokens import DocBin

    build(db, tmp_path)
    opts = WriteOptions(labels=LABELS)
    report = export(db, 1, tmp_path / "x.spacy", format="spacy", options=opts)
    nlp = spacy.blank("ar")
    docs = list(DocBin().from_disk(report.files[0]).get_docs(nlp.vocab))
    records = list(native_records(db, 1))
    assert len(docs) == len(records) == 4
    checked = 0
    for doc, rec in zip(docs, records, strict=True):
        assert doc.text == rec["text"]
        assert doc.user_data["id"] == rec["id"]
        assert doc.user_data["annotator"] == rec["annotator"]
        assert len(doc.spans["sc"]) == len(rec["spans"])
        for span, want in zip(doc.spans["sc"], rec["spans"], strict=True):
            got = doc.char_span(want["start"], want["end"])
            assert got is not None and got.text == want["text"] == span.text
            assert span.label_ == want["label"]
            checked += 1
        ents = [(e.start_char, e.end_char) for e in doc.ents]
        assert all(a[1] <= b[0] for a, b in zip(ents, ents[1:], strict=False))  # no overlap
    assert checked == 11
    assert any("'ومـــصر' split at" in w for w in opts.warnings)  # the clitic و


def test_prodigy_tokens_index_the_spans(db: Database, tmp_path: Path) -> None:
    build(db, tmp_path)
    report = export(db, 1, tmp_path / "p.jsonl", format="prodigy",
                    options=WriteOptions(labels=LABELS))
    for line in report.files[0].read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        tokens = row["tokens"]
        assert "".join(t["text"] + (" " if t["ws"] else "") for t in tokens) == row["text"]
        for span in row["spans"]:
            assert tokens[span["token_start"]]["start"] == span["start"]
            assert tokens[span["token_end"]]["end"] == span["end"]  # inclusive end
            assert row["text"][span["start"]:span["end"]] == span["text"]


LOAD = """
import json, sys
from datasets import load_dataset
data = load_dataset("json", data_files={"train": sys.argv[1]}, cache_dir=sys.argv[2])
labels = json.load(open(sys.argv[3], encoding="utf-8"))
rows = data["train"]
print(json.dumps({"n": rows.num_rows, "columns": sorted(rows.column_names),
                  "tags": [[labels[i] for i in r["ner_tags"]] for r in rows],
                  "tokens": [r["tokens"] for r in rows]}, ensure_ascii=False))
"""


def test_datasets_loads_the_hugging_face_export(db: Database, tmp_path: Path) -> None:
    build(db, tmp_path)
    report = export(db, 1, tmp_path / "hf.jsonl", format="hf",
                    options=WriteOptions(labels=LABELS))
    home = tmp_path / "hf-home"
    env = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(home),
           "HF_DATASETS_CACHE": str(home / "datasets"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", LOAD, str(report.files[0]), str(home / "cache"),
         str(tmp_path / "hf.labels.json")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded["n"] == 4
    assert {"tokens", "ner_tags", "tags", "offsets", "text", "id"} <= set(loaded["columns"])
    written = [json.loads(x) for x in report.files[0].read_text(encoding="utf-8").splitlines()]
    assert loaded["tags"] == [w["tags"] for w in written]
    assert loaded["tokens"] == [w["tokens"] for w in written]
    assert "👍🏽" in loaded["tokens"][1] or "👍🏽" in loaded["tokens"][0]


def gold_tags() -> list[tuple[str, str]]:
    """NewsFANE's own tags, mapped to the schema: an unmapped class is O, and an I- that
    does not continue its class starts an entity (B-), as the importer reads it."""
    out = []
    for sentence in read_sentences(NEWSFANE):
        prev = None
        for token, tag in zip(sentence.tokens, sentence.tags, strict=True):
            kind = tag[2:] if tag != "O" else None
            label = SCHEMA_LABEL.get(kind) if kind else None
            if label is None:
                out.append((token, "O"))
            else:
                cont = tag.startswith("I-") and prev == kind
                out.append((token, f"{'I' if cont else 'B'}-{label}"))
            prev = kind
    return out


@pytest.mark.parametrize("size", [7, 50])
def test_newsfane_imported_then_exported_as_conll_gives_the_gold_tags(
    db: Database, tmp_path: Path, size: int
) -> None:
    report = import_paths(db, [NEWSFANE], format="newsfane", annotator="gold",
                          doc_sentences=size)
    assert report.ok and report.spans > 11_000 and not report.duplicates
    assert all("has no label in the schema" in why for _, why in report.skipped)
    out = export(db, 1, tmp_path / "gold.conll", format="conll",
                 where=ExportFilter(annotators=("gold",)), options=WriteOptions(labels=LABELS))
    assert out.warnings == []
    lines = out.files[0].read_text(encoding="utf-8").split("\n")
    got = [tuple(x.split("\t")) for x in lines if x and not x.startswith("-DOCSTART-")]
    want = gold_tags()
    assert len(got) == len(want) == 168_080
    assert [i for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b] == []
    sentences = sum(1 for _ in read_sentences(NEWSFANE))
    documents = -(-sentences // size)
    assert len(report.imported) == documents
    assert lines[:-1].count("") == sentences + documents  # after sentences and -DOCSTART-
