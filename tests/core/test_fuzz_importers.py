"""Bad input for every importer, generated with hypothesis (docs/FUZZING.md).

Property, for every format of the registry that can be imported (and plain ``.txt``):
``import_paths`` never raises; a bad file is reported as failed (or skipped, with the
reason, when it is empty or binary) at a place that names the file, and the line where
the format has lines; and the database is byte-for-byte the same dump as before.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.db.engine import Database, open_database
from annotator.formats.registry import FORMATS
from annotator.importer import ImportReport, import_paths

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

    from annotator.formats.docbin import blank_arabic

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


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


class Harness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.db_path = root / "fuzz.sqlite3"
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


# ---------------------------------------------------------------------------
# (a) Random bytes, truncated and damaged valid files, other encodings.


@pytest.mark.parametrize("fmt", ALL)
def test_good_file_imports(fmt: str) -> None:
    """The generators make valid files: the bad ones below differ only by the damage."""
    with harness() as h:
        _, report, changed = h.run(fmt, WRITERS[fmt]([Doc()]))
        assert report.ok and report.imported and changed, report


@pytest.mark.parametrize("fmt", ALL)
@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(fmt: str, data: bytes) -> None:
    with harness() as h:
        files = WRITERS[fmt]([Doc()])
        files[MAIN.get(fmt, next(iter(files)))] = data
        h.run(fmt, files)


@pytest.mark.parametrize("fmt", ALL)
@FUZZ
@given(cut=st.floats(0, 1, exclude_max=True), junk=st.binary(max_size=8),
       where=st.floats(0, 1), mode=st.sampled_from(["truncate", "insert", "overwrite"]))
def test_damaged_valid_file(fmt: str, cut: float, junk: bytes, where: float, mode: str) -> None:
    with harness() as h:
        files = WRITERS[fmt]([Doc(), Doc(id="a2", text="خبر آخر عن القاهرة والأمم المتحدة.",
                                          spans=((11, 18, "GPE"),))])
        main = MAIN.get(fmt, next(iter(files)))
        data = files[main]
        k = int(cut * len(data))
        if mode == "truncate":
            data = data[:k]
        elif mode == "insert":
            data = data[:k] + junk + data[k:]
        else:
            data = data[:k] + junk + data[k + len(junk):]
        files[main] = data
        h.run(fmt, files)


@pytest.mark.parametrize("fmt", [f for f in ALL if f != "spacy"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_file_fails_with_a_hint(fmt: str, codec: str) -> None:
    with harness() as h:
        files = WRITERS[fmt]([Doc()])
        main = MAIN.get(fmt, next(iter(files)))
        files[main] = files[main].decode("utf-8").encode(codec)
        path, report, changed = h.run(fmt, files)
        assert not changed and not report.imported
        problems = report.failed + report.skipped
        assert problems and any("UTF-16" in r or "utf-16" in r for _, r in problems), problems


@pytest.mark.parametrize("fmt", [f for f in ALL if f != "spacy"])
@FUZZ
@given(where=st.floats(0, 1))
def test_nul_byte(fmt: str, where: float) -> None:
    with harness() as h:
        files = WRITERS[fmt]([Doc()])
        main = MAIN.get(fmt, next(iter(files)))
        data = files[main]
        k = int(where * len(data))
        files[main] = data[:k] + b"\x00" + data[k:]
        path, report, changed = h.run(fmt, files)
        if fmt != "brat" or b"\x00" in data[: data.rfind(b"\t")]:
            assert not changed and (report.failed or report.skipped), report


# ---------------------------------------------------------------------------
# (b) Records wrong in a way the format's reader must catch.

ints = st.integers(-10**6, 10**6)


@st.composite
def bad_offsets(draw: st.DrawFn) -> tuple[int, int]:
    n = len(TEXT)
    kind = draw(st.sampled_from(["negative", "reversed", "empty", "past_end"]))
    if kind == "negative":
        return draw(st.integers(-10**9, -1)), draw(st.integers(0, n))
    if kind == "reversed":
        a = draw(st.integers(0, n - 1))
        return draw(st.integers(a + 1, n)), a
    if kind == "empty":
        a = draw(st.integers(0, n))
        return a, a
    return draw(st.integers(0, n)), draw(st.integers(n + 1, 10**12))


@pytest.mark.parametrize("fmt", SPAN_FORMATS)
@FUZZ
@given(offsets=bad_offsets())
def test_bad_offsets(fmt: str, offsets: tuple[int, int]) -> None:
    with harness() as h:
        s, e = offsets
        h.bad(fmt, WRITERS[fmt]([Doc(spans=((4, 8, "PERSON"), (s, e, "GPE")))]))


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy", "labelstudio", "brat"])
@FUZZ
@given(shown=st.text(max_size=12))
def test_span_text_that_does_not_match(fmt: str, shown: str) -> None:
    if shown == TEXT[4:8] or "\t" in shown or "\n" in shown or "\r" in shown:
        return
    with harness() as h:
        h.bad(fmt, WRITERS[fmt]([Doc(span_text=shown)]))


@pytest.mark.parametrize("fmt", [*SPAN_FORMATS, "conll", "hf"])
@FUZZ
@given(label=st.text(st.characters(blacklist_categories=["Cs", "Z", "Cc"]), min_size=1,
                     max_size=12))
def test_unknown_label(fmt: str, label: str) -> None:
    if label in ("PERSON", "ORGANIZATION", "LOCATION", "GPE", "EVENT", "DATE", "QUANTITY",
                 "CLAIM", "QUOTE", "BOILERPLATE"):
        return
    with harness() as h:
        h.bad(fmt, WRITERS[fmt]([Doc(spans=((4, 8, label),))]))


@pytest.mark.parametrize("fmt", [f for f in JSON_FORMATS if f != "labelstudio"])
def test_duplicate_ids_for_different_texts(fmt: str) -> None:
    with harness() as h:
        report = h.bad(fmt, WRITERS[fmt]([Doc(), Doc(text="نص آخر تماما.", spans=())]))
        assert any("already used at line 1" in r for _, r in report.failed), report.failed


def test_duplicate_ids_labelstudio() -> None:
    with harness() as h:
        h.bad("labelstudio", labelstudio([Doc(), Doc(text="نص آخر تماما.", spans=())]))


SURROGATE = "\ud800"
FIELDS = ["text", "id", "annotator", "label", "span_text"]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bad", [SURROGATE, "\udfff", "\x00"])
def test_lone_surrogate_or_nul_in_a_json_string(fmt: str, field: str, bad: str) -> None:
    doc = Doc()
    if field == "text":
        doc.text = TEXT[:2] + bad + TEXT[3:]
    elif field == "id":
        doc.id = "a" + bad
    elif field == "annotator":
        doc.annotator = "salma" + bad
    elif field == "label":
        doc.spans = ((4, 8, "PERSON" + bad),)
    else:
        if fmt not in ("jsonl", "prodigy", "labelstudio"):
            return
        doc.span_text = TEXT[4:6] + bad + TEXT[7:8]
    with harness() as h:
        h.bad(fmt, WRITERS[fmt]([doc]))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)


def _paths(obj: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here] if here else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, here + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, here + (i,))
    return out


def _apply(obj: Any, path: tuple[Any, ...], value: Any, delete: bool) -> None:
    for key in path[:-1]:
        obj = obj[key]
    if delete:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value


MAKERS: dict[str, Callable[[Doc], Any]] = {
    "jsonl": native_line, "prodigy": native_line, "doccano": doccano_line,
    "doccano-rel": doccano_rel_line, "labelstudio": labelstudio_task,
    "hf": lambda d: json.loads(hf([d])["f.jsonl"]),
}


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@FUZZ
@given(data=st.data(), value=json_values, delete=st.booleans())
def test_wrong_json_types_and_missing_fields(fmt: str, data: st.DataObject, value: Any,
                                             delete: bool) -> None:
    """Any value replaced by one of any JSON type, or removed: never a crash; and where
    the file is refused, nothing changes. (Some changes leave a valid file.)"""
    record = MAKERS[fmt](Doc())
    path = data.draw(st.sampled_from(_paths(record)))
    _apply(record, path, value, delete and isinstance(path[-1], str))
    body = _dumps([record]) if fmt == "labelstudio" else _dumps(record) + "\n"
    name = "f.json" if fmt == "labelstudio" else "f.jsonl"
    with harness() as h:
        h.run(fmt, {name: body.encode()})


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@FUZZ
@given(value=json_values)
def test_a_line_that_is_not_an_object(fmt: str, value: Any) -> None:
    with harness() as h:
        if fmt == "labelstudio":
            body = _dumps([labelstudio_task(Doc()), value])
            h.bad(fmt, {"f.json": body.encode()})
        else:
            good = _dumps(MAKERS[fmt](Doc()))
            h.bad(fmt, {"f.jsonl": f"{good}\n{_dumps(value)}\n".encode()})


# The examples hypothesis found, kept as plain tests (each crashed the import with a
# TypeError or AttributeError before its fix).
FOUND: list[tuple[str, tuple[Any, ...], Any]] = [
    ("prodigy", ("spans", 0, "start"), []),
    ("doccano-rel", ("relations",), True),
    ("doccano-rel", ("entities", 0, "id"), []),
    ("labelstudio", ("annotations",), 1),
    ("labelstudio", ("annotations", 0), None),
    ("labelstudio", ("annotations", 0, "result", 0, "id"), []),
    ("labelstudio", ("annotations", 0, "result", 0, "value", "labels"), None),
]


@pytest.mark.parametrize(("fmt", "path", "value"), FOUND)
def test_found_by_fuzzing(fmt: str, path: tuple[Any, ...], value: Any) -> None:
    record = MAKERS[fmt](Doc())
    _apply(record, path, value, delete=False)
    body = _dumps([record]) if fmt == "labelstudio" else _dumps(record) + "\n"
    name = "f.json" if fmt == "labelstudio" else "f.jsonl"
    with harness() as h:
        h.bad(fmt, {name: body.encode()})


@pytest.mark.parametrize("fmt", [f for f in ALL if f != "spacy"])
def test_empty_file_is_skipped_with_a_reason(fmt: str) -> None:
    with harness() as h:
        files = WRITERS[fmt]([Doc()])
        files[MAIN.get(fmt, next(iter(files)))] = b"" if fmt != "labelstudio" else b"[]"
        _, report, changed = h.run(fmt, files)
        if fmt == "brat":  # an empty .ann: the .txt beside it, with no spans
            assert report.imported
            return
        assert not changed and report.skipped and not report.failed, report


# ---------------------------------------------------------------------------
# A single 50 MB line.

BIG = 50 * 1024 * 1024


def _big_line(valid: bool) -> bytes:
    text = ("ب" * (BIG // 2 - 40))
    line = json.dumps({"id": "big", "text": text}, ensure_ascii=False)
    if not valid:
        line = line[:-2] + ',"x": }'  # broken at the very end
    return line.encode("utf-8") + b"\n"


def test_a_single_50_mb_line(tmp_path: Path) -> None:
    db = open_database(tmp_path / "big.sqlite3")
    try:
        small = tmp_path / "small.jsonl"
        small.write_text('{"text": "نص قصير"}\n', encoding="utf-8")
        assert import_paths(db, [small]).ok  # the project and a document exist
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(_big_line(valid=False))
        before = dump(tmp_path / "big.sqlite3")
        report = import_paths(db, [bad])
        assert report.failed and report.failed[0][0] == f"{bad}, line 1"
        assert "not valid JSON" in report.failed[0][1]
        assert dump(tmp_path / "big.sqlite3") == before
        good = tmp_path / "good.jsonl"
        good.write_bytes(_big_line(valid=True))
        report = import_paths(db, [good])
        assert report.ok and report.imported == ["big"], report
    finally:
        db.close()


def test_cli_reports_bad_input_on_stderr_with_a_non_zero_status(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "نص", "id": "a"}\n{"text": 5}\n', encoding="utf-8")
    db = tmp_path / "cli.sqlite3"
    run = subprocess.run([sys.executable, "-m", "annotator", "--db", str(db), "import",
                          str(bad)], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f"{bad}, line 2" in run.stderr and '"text" must be a string' in run.stderr


@pytest.mark.parametrize(("key", "value"), [
    ("relations", True), ("relations", [[0, 99, "SPEAKER"]]), ("relations", [["a", 1, 2]]),
    ("relations", "x"), ("id", []), ("id", True), ("annotator", 5), ("annotator", "\x00"),
    ("meta", "x"), ("status", "bogus"), ("status", []),
])
def test_spacy_user_data_of_the_wrong_shape(key: str, value: Any) -> None:
    from spacy.tokens import DocBin

    files = spacy([Doc()])
    bin_ = DocBin(store_user_data=True).from_bytes(files["f.spacy"])
    from annotator.formats.docbin import blank_arabic

    docs = list(bin_.get_docs(blank_arabic().vocab))
    docs[0].user_data[key] = value
    out = DocBin(store_user_data=True)
    out.add(docs[0])
    with harness() as h:
        h.run("spacy", {"f.spacy": out.to_bytes()})
