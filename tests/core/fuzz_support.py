"""Files and a database harness for the importer fuzz tests (test_fuzz_importers.py):
one good file per format, built from a few documents, and a database compared by dump."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from annotator.db.engine import Database, open_database
from annotator.io.formats.registry import FORMATS
from annotator.io.importer import ImportReport, import_paths
from tests.core.dbcheck import table_rows

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")), deadline=None,
                derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

TEXT = "قال محمد إن الانتخابات ستجري في بغداد."
LABELS = ("PERSON", "GPE", "EVENT")
WHO = "salma"

# ---------------------------------------------------------------------------
# Writing each format from abstract parts, so that bad parts make a bad file.


@dataclass
class Doc:
    text: Any = TEXT
    spans: Any = ((4, 8, "PERSON"), (33, 38, "GPE"))  # (start, end, label)
    id: Any = "a1"
    annotator: Any = WHO
    span_text: Any = None  # replaces the text shown for span 0


def _shown(doc: Doc, k: int, s: Any, e: Any) -> Any:
    if k == 0 and doc.span_text is not None:
        return doc.span_text
    try:
        return doc.text[s:e]
    except TypeError:
        return ""


def _dumps(obj: Any) -> str:
    return json.dumps(obj)  # ASCII escapes: a lone surrogate becomes "\ud800"


def native_line(doc: Doc) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "annotator": doc.annotator,
            "spans": [{"start": s, "end": e, "label": lb, "text": _shown(doc, k, s, e)}
                      for k, (s, e, lb) in enumerate(doc.spans)]}


def doccano_line(doc: Doc) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "annotator": doc.annotator,
            "label": [[s, e, lb] for s, e, lb in doc.spans]}


def doccano_rel_line(doc: Doc) -> dict[str, Any]:
    return {"id": doc.id, "text": doc.text, "annotator": doc.annotator,
            "entities": [{"id": k + 1, "label": lb, "start_offset": s, "end_offset": e}
                         for k, (s, e, lb) in enumerate(doc.spans)],
            "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "SPEAKER"}]
            if len(doc.spans) > 1 else []}


def labelstudio_task(doc: Doc) -> dict[str, Any]:
    return {"data": {"text": doc.text, "name": doc.id},
            "annotations": [{"annotator": doc.annotator, "result": [
                {"id": f"s{k}", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": s, "end": e, "text": _shown(doc, k, s, e), "labels": [lb]}}
                for k, (s, e, lb) in enumerate(doc.spans)]}]}


def jsonl(make: Callable[[Doc], dict[str, Any]]) -> Callable[[list[Doc]], dict[str, bytes]]:
    return lambda docs: {"f.jsonl": "".join(_dumps(make(d)) + "\n" for d in docs).encode()}


def labelstudio(docs: list[Doc]) -> dict[str, bytes]:
    return {"f.json": ("[\n" + ",\n".join(_dumps(labelstudio_task(d)) for d in docs)
                       + "\n]\n").encode()}


def brat(docs: list[Doc]) -> dict[str, bytes]:
    doc = docs[0]
    lines = [f"T{k + 1}\t{lb} {s} {e}\t{_shown(doc, k, s, e)}\n"
             for k, (s, e, lb) in enumerate(doc.spans)]
    text = doc.text if isinstance(doc.text, str) else str(doc.text)
    return {"f.ann": "".join(lines).encode("utf-8", "surrogatepass"),
            "f.txt": text.encode("utf-8", "surrogatepass")}


def conll(docs: list[Doc]) -> dict[str, bytes]:
    out = []
    for doc in docs:
        out.append("-DOCSTART-\tO\n\n")
        pos = 0
        for token in str(doc.text).split(" "):
            start, end = pos, pos + len(token)
            pos = end + 1
            tag = "O"
            for s, e, lb in doc.spans:
                if s == start:
                    tag = f"B-{lb}"
                elif isinstance(s, int) and isinstance(e, int) and s < start < e:
                    tag = f"I-{lb}"
            out.append(f"{token}\t{tag}\n")
        out.append("\n")
    return {"f.conll": "".join(out).encode("utf-8", "surrogatepass")}


def newsfane(docs: list[Doc]) -> dict[str, bytes]:
    body = conll(docs)["f.conll"].decode("utf-8", "surrogatepass")
    body = body.replace("-DOCSTART-\tO\n\n", "").replace("PERSON", "Politician").replace(
        "GPE", "Nation")
    return {"f.txt": b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode("utf-8",
                                                                         "surrogatepass")}


def hf(docs: list[Doc]) -> dict[str, bytes]:
    rows = []
    for doc in docs:
        tokens = str(doc.text).split(" ")
        tags = conll([doc])["f.conll"].decode("utf-8", "surrogatepass").split("\n")[2:-2]
        rows.append({"id": doc.id, "annotator": doc.annotator, "tokens": tokens,
                     "tags": [t.split("\t")[-1] for t in tags]})
    return {"f.jsonl": "".join(_dumps(r) + "\n" for r in rows).encode()}


def spacy(docs: list[Doc]) -> dict[str, bytes]:
    from spacy.tokens import DocBin

    from annotator.io.formats.docbin import blank_arabic

    nlp = blank_arabic()
    out = DocBin(store_user_data=True)
    for doc in docs:
        d = nlp.make_doc(doc.text)
        ents = [d.char_span(s, e, label=lb) for s, e, lb in doc.spans]
        d.ents = [x for x in ents if x is not None]
        d.user_data.update({"id": doc.id, "annotator": doc.annotator})
        out.add(d)
    return {"f.spacy": out.to_bytes()}


def txt(docs: list[Doc]) -> dict[str, bytes]:
    return {"f.txt": str(docs[0].text).encode("utf-8", "surrogatepass")}


WRITERS: dict[str, Callable[[list[Doc]], dict[str, bytes]]] = {
    "jsonl": jsonl(native_line),
    "prodigy": jsonl(native_line),
    "doccano": jsonl(doccano_line),
    "doccano-rel": jsonl(doccano_rel_line),
    "labelstudio": labelstudio,
    "brat": brat,
    "conll": conll,
    "newsfane": newsfane,
    "hf": hf,
    "spacy": spacy,
    "txt": txt,
}
IMPORTABLE = [name for name, f in FORMATS.items() if f.reader is not None]
ALL = [*IMPORTABLE, "txt"]
SPAN_FORMATS = ["jsonl", "prodigy", "doccano", "doccano-rel", "labelstudio", "brat"]
JSON_FORMATS = ["jsonl", "prodigy", "doccano", "doccano-rel", "labelstudio", "hf"]
LINED = [f for f in ALL if f not in ("spacy",)]  # every error can name a line
# The file that the importer is given (brat: the .ann; the .txt is read beside it).
MAIN = {"brat": "f.ann"}
# Who owns the spans where the format cannot say.
OWNER = {"conll": WHO, "newsfane": WHO, "brat": WHO}


def test_every_importable_format_is_fuzzed() -> None:
    assert set(IMPORTABLE) <= set(WRITERS)


# ---------------------------------------------------------------------------
# The harness: one database a test, with a known content, dumped before and after.


def dump(location: Path | str) -> object:
    """The whole database: a SQLite file's SQL dump, or every row of a server database."""
    if "://" in str(location):
        return table_rows(location)
    con = sqlite3.connect(location)
    try:
        return list(con.iterdump())
    finally:
        con.close()


class Harness:
    def __init__(self, root: Path, location: str | None = None) -> None:
        self.root = root
        self.db_path = location or root / "fuzz.sqlite3"
        self.db: Database = open_database(self.db_path)
        good = root / "baseline.jsonl"
        good.write_text(json.dumps(native_line(Doc(text="نص الأساس: " + TEXT, spans=(
            (15, 19, "PERSON"),)))) + "\n", encoding="utf-8")
        report = import_paths(self.db, [good])
        assert report.ok and report.imported, report

    def files(self, fmt: str, files: dict[str, bytes]) -> Path:
        folder = self.root / uuid.uuid4().hex
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return folder / MAIN.get(fmt, next(iter(files)))

    def run(self, fmt: str, files: dict[str, bytes]) -> tuple[Path, ImportReport, bool]:
        """Import; check what holds for any input; return (file, report, db changed)."""
        path = self.files(fmt, files)
        before = dump(self.db_path)
        report = import_paths(self.db, [path], format=None if fmt == "txt" else fmt,
                              annotator=OWNER.get(fmt))
        after = dump(self.db_path)
        assert report.imported or report.duplicates or report.skipped or report.failed, (
            f"{fmt}: the import said nothing at all")
        for place, reason in report.failed + report.skipped:
            assert place.startswith(str(path)), (place, reason)
            assert reason.strip(), place
        if report.failed:
            assert after == before, f"{fmt}: a failed import changed the database"
        return path, report, after != before

    def bad(self, fmt: str, files: dict[str, bytes], *, line: bool = True) -> ImportReport:
        """Input known to be bad: a failure naming the file (and a line) and no change."""
        path, report, changed = self.run(fmt, files)
        assert report.failed, f"{fmt}: bad input was accepted: {report}"
        assert not changed
        if line and fmt in LINED:
            assert any(", line " in place for place, _ in report.failed), report.failed
        return report

    def close(self) -> None:
        self.db.close()


_HARNESSES: dict[str, Harness] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_harnesses() -> Iterator[None]:
    with tempfile.TemporaryDirectory() as tmp:
        _ROOT.append(Path(tmp))
        yield
        for h in _HARNESSES.values():
            h.close()
        _HARNESSES.clear()
        _ROOT.clear()


_ROOT: list[Path] = []


@contextmanager
def harness() -> Iterator[Harness]:
    """The database of the running test (one per test and parameters, kept across its
    examples: each example compares its own before and after)."""
    key = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    if key not in _HARNESSES:
        root = _ROOT[0] / uuid.uuid4().hex
        root.mkdir()
        _HARNESSES[key] = Harness(root)
    yield _HARNESSES[key]


