"""Bad input for every importer, generated with hypothesis (docs/FUZZING.md).

Property, for every format of the registry that can be imported (and plain ``.txt``):
``import_paths`` never raises; a bad file is reported as failed (or skipped, with the
reason, when it is empty or binary) at a place that names the file, and the line where
the format has lines; and the database is byte-for-byte the same dump as before.

The generated cases run on SQLite only: the importers parse and check a file before any
row is written, the same code for both backends, and a second hypothesis run (with a
server dump compared per example) would add minutes. What the backends store
differently (NUL, lone surrogates, names longer than their column) is tried on both, in
every JSON format, by one test at the end of the string cases.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.db.engine import open_database
from annotator.io.importer import import_paths
from tests.conftest import Backend
from tests.core.fuzz_support import (  # noqa: F401 - the fixtures and file builders
    ALL,
    FUZZ,
    IMPORTABLE,
    JSON_FORMATS,
    LABELS,
    LINED,
    MAIN,
    OWNER,
    SPAN_FORMATS,
    TEXT,
    WHO,
    WRITERS,
    Doc,
    Harness,
    _close_harnesses,
    _dumps,
    brat,
    conll,
    doccano_line,
    doccano_rel_line,
    dump,
    harness,
    hf,
    jsonl,
    labelstudio,
    labelstudio_task,
    native_line,
    newsfane,
    spacy,
    test_every_importable_format_is_fuzzed,
    txt,
)

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


def with_bad_string(fmt: str, field: str, bad: str) -> Doc | None:
    """A document with ``bad`` inside one of its strings; None where the format has no
    such string."""
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
            return None
        doc.span_text = TEXT[4:6] + bad + TEXT[7:8]
    return doc


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bad", [SURROGATE, "\udfff", "\x00"])
def test_lone_surrogate_or_nul_in_a_json_string(fmt: str, field: str, bad: str) -> None:
    doc = with_bad_string(fmt, field, bad)
    if doc is None:
        return
    with harness() as h:
        h.bad(fmt, WRITERS[fmt]([doc]))


def test_what_postgresql_cannot_store_fails_the_same_on_both_backends(
    backend: Backend, tmp_path: Path
) -> None:
    """The inputs where the backends differ, in every JSON format, on a real database of
    each: a NUL or a lone surrogate (PostgreSQL text holds neither; SQLite would store a
    NUL) and names longer than their column (PostgreSQL checks VARCHAR lengths, SQLite
    does not). Each file fails naming its line; the database is unchanged."""
    h = Harness(tmp_path, backend.new_url("fuzz"))
    try:
        for fmt in JSON_FORMATS:
            for field in FIELDS:
                for bad in (SURROGATE, "\x00"):
                    doc = with_bad_string(fmt, field, bad)
                    if doc is not None:
                        h.bad(fmt, WRITERS[fmt]([doc]))
            h.bad(fmt, WRITERS[fmt]([Doc(annotator="س" * 129)]))
            h.bad(fmt, WRITERS[fmt]([Doc(id="ب" * 513)]))
    finally:
        h.close()


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


def test_a_single_50_mb_line(backend: Backend, tmp_path: Path) -> None:
    location = backend.new_url("big")
    db = open_database(location)
    try:
        small = tmp_path / "small.jsonl"
        small.write_text('{"text": "نص قصير"}\n', encoding="utf-8")
        assert import_paths(db, [small]).ok  # the project and a document exist
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(_big_line(valid=False))
        before = dump(location)
        report = import_paths(db, [bad])
        assert report.failed and report.failed[0][0] == f"{bad}, line 1"
        assert "not valid JSON" in report.failed[0][1]
        assert dump(location) == before
        good = tmp_path / "good.jsonl"
        good.write_bytes(_big_line(valid=True))
        report = import_paths(db, [good])
        assert report.ok and report.imported == ["big"], report
    finally:
        db.close()


def test_cli_reports_bad_input_on_stderr_with_a_non_zero_status(
    backend: Backend, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "نص", "id": "a"}\n{"text": 5}\n', encoding="utf-8")
    db = backend.new_url("cli")
    run = subprocess.run([sys.executable, "-m", "annotator", "--db", db, "import",
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
    from annotator.io.formats.docbin import blank_arabic

    docs = list(bin_.get_docs(blank_arabic().vocab))
    docs[0].user_data[key] = value
    out = DocBin(store_user_data=True)
    out.add(docs[0])
    with harness() as h:
        h.run("spacy", {"f.spacy": out.to_bytes()})
