"""The native JSONL format: one line per document and annotator.

``{"id", "text", "sha256", "annotator", "status", "spans": [{"start", "end", "label",
"text"}], "relations": [{"from", "to", "type"}], "meta"}``

Offsets are Python ``str`` indices into ``text``; relations name spans by their index in
``spans``. A document nobody has annotated is one line with ``"annotator": null``.

Reading accepts the same lines, or plain ``{"text", "id"?, "meta"?}`` lines; a line's
``status`` becomes its annotator's status where the project has none for the document. Text that
arrives without spans is canonicalised (BOM, CRLF); text that arrives with spans is kept
exactly as given, since its offsets point into it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from annotator.io.formats import (
    Candidate,
    FormatError,
    LineWriter,
    ReadOptions,
    Record,
    RelationIn,
    SpanIn,
    read_utf8,
)
from annotator.text.canonical import canonical, text_sha256

STATUSES = ("new", "in_progress", "done")  # db.models.Status, without importing the ORM


def _check_text(text: object, line: int) -> str:
    if not isinstance(text, str):
        raise FormatError(f'"text" must be a string, not {type(text).__name__}', line)
    if "\x00" in text:
        raise FormatError(f'"text" holds a NUL character at index {text.index(chr(0))}', line)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(text[exc.start])
        raise FormatError(
            f'"text" holds a lone surrogate U+{bad:04X} at index {exc.start}', line
        ) from None
    return text


def _check_strings(obj: object, line: int, where: str = "") -> None:
    """Refuse a NUL or a lone surrogate (JSON lets ``"\\ud800"`` through) in any string of
    a line: SQLite cannot store a lone surrogate, and no UTF-8 export could write it."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            _check_strings(key, line, where)
            _check_strings(value, line, f"{where}.{key}" if where else str(key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            _check_strings(value, line, f"{where}[{i}]")
    elif isinstance(obj, str):
        name = where or "a key"
        if "\x00" in obj:
            raise FormatError(f"{name} holds a NUL character", line)
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise FormatError(
                f"{name} holds a lone surrogate U+{ord(obj[exc.start]):04X} at index "
                f"{exc.start}", line) from None


def _int(value: object, what: str, line: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(f"{what} must be an integer, not {json.dumps(value)}", line)
    return value


def _spans(raw: object, text: str, annotator: str, line: int) -> list[SpanIn]:
    if not isinstance(raw, list):
        raise FormatError('"spans" must be a list', line)
    spans = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise FormatError(f"span {i} must be an object", line)
        for key in ("start", "end", "label"):
            if key not in item:
                raise FormatError(f'span {i} has no "{key}"', line)
        start = _int(item["start"], f"span {i} start", line)
        end = _int(item["end"], f"span {i} end", line)
        label = item["label"]
        if not isinstance(label, str) or not label:
            raise FormatError(f"span {i} label must be a non-empty string", line)
        if not 0 <= start < end <= len(text):
            raise FormatError(
                f"span {i} [{start}, {end}) is out of range for a text of {len(text)} "
                "characters (0 <= start < end <= length)",
                line,
            )
        if "text" in item and item["text"] != text[start:end]:
            raise FormatError(
                f"span {i} text {item['text']!r} does not match the document's "
                f"text[{start}:{end}] = {text[start:end]!r}",
                line,
            )
        spans.append(SpanIn(annotator, label, start, end))
    return spans


def _relations(raw: object, n_spans: int, annotator: str, line: int) -> list[RelationIn]:
    if not isinstance(raw, list):
        raise FormatError('"relations" must be a list', line)
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not {"from", "to", "type"} <= item.keys():
            raise FormatError(f'relation {i} must be an object with "from", "to", "type"', line)
        a = _int(item["from"], f"relation {i} from", line)
        b = _int(item["to"], f"relation {i} to", line)
        if not (0 <= a < n_spans and 0 <= b < n_spans) or a == b:
            raise FormatError(
                f"relation {i} joins spans {a} -> {b}, not two of the line's spans", line
            )
        if not isinstance(item["type"], str) or not item["type"]:
            raise FormatError(f"relation {i} type must be a non-empty string", line)
        out.append(RelationIn(annotator, item["type"], a, b))
    return out


def parse_line(obj: object, line: int, default_name: str, annotator: str | None) -> Candidate:
    """Validate one decoded JSON line and turn it into a candidate document."""
    if not isinstance(obj, dict):
        raise FormatError(f"expected a JSON object, got {type(obj).__name__}", line)
    if "text" not in obj:
        raise FormatError('no "text" field', line)
    text = _check_text(obj["text"], line)
    _check_strings({k: v for k, v in obj.items() if k != "text"}, line)
    doc_id = obj.get("id")
    if doc_id is not None and (isinstance(doc_id, bool) or not isinstance(doc_id, str | int)):
        raise FormatError('"id" must be a string or an integer', line)
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise FormatError('"meta" must be an object', line)
    raw_spans = obj.get("spans") or []
    who = annotator or obj.get("annotator")
    if raw_spans and not (isinstance(who, str) and who.strip()):
        raise FormatError('spans need an "annotator" (or pass --annotator)', line)
    if raw_spans:
        sha = text_sha256(text)
        if "sha256" in obj and obj["sha256"] != sha:
            raise FormatError('"sha256" does not match the text', line)
    else:
        canon = canonical(text)
        text, sha = canon.text, canon.sha256
    cand = Candidate(
        name=str(doc_id) if doc_id is not None else default_name,
        text=text,
        sha256=sha,
        source_path=None,
        meta=meta,
        line=line,
    )
    if raw_spans:
        assert isinstance(who, str)
        cand.spans = _spans(raw_spans, text, who.strip(), line)
        cand.relations = _relations(obj.get("relations") or [], len(cand.spans), who.strip(), line)
    status = obj.get("status")
    if status is not None and isinstance(who, str) and who.strip():
        if status not in STATUSES:
            raise FormatError(f'"status" must be one of {", ".join(STATUSES)}', line)
        cand.status = (who.strip(), status)
    return cand


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON) of each non-blank line of a UTF-8 file."""
    content = read_utf8(path)
    for n, raw in enumerate(content.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            yield n, json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON ({exc.msg} at column {exc.colno})", n) from None


Convert = Callable[[Any, int], Any]


def candidates(
    items: Iterable[tuple[int, Any]],
    path: Path,
    annotator: str | None,
    convert: Convert | None = None,
) -> list[Candidate | tuple[int, str]]:
    """Check every item (a native line, or what ``convert`` makes one of) and return the
    candidates, or ``(line, reason)`` for an item skipped as empty. Raises
    :class:`FormatError` at the first bad item, so nothing of the file is used."""
    out: list[Candidate | tuple[int, str]] = []
    ids: dict[str, tuple[int, str]] = {}
    for n, raw in items:
        obj = convert(raw, n) if convert else raw
        cand = parse_line(obj, n, f"{path.stem}:{n}", annotator)
        if not cand.text.strip():
            out.append((n, "empty text"))
            continue
        if isinstance(obj, dict) and obj.get("id") is not None:
            seen = ids.get(cand.name)
            if seen is not None and seen[1] != cand.sha256:
                raise FormatError(
                    f"id {cand.name!r} was already used at line {seen[0]} for another text", n
                )
            ids.setdefault(cand.name, (n, cand.sha256))
        cand.source_path = str(path)
        out.append(cand)
    return out


def read_jsonl(
    path: Path, annotator: str | None = None, convert: Convert | None = None
) -> Iterator[Candidate | tuple[int, str]]:
    """Yield a candidate per line, or ``(line, reason)`` for a line skipped as empty.

    The whole file is checked before the first yield: a bad line raises
    :class:`FormatError` and nothing of the file is used.
    """
    yield from candidates(json_lines(path), path, annotator, convert)


def write_line(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False))
    out.write("\n")


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """The registry's reader: :func:`read_jsonl` with the options' annotator."""
    return list(read_jsonl(path, options.annotator))


class NativeWriter(LineWriter):
    def write(self, record: Record) -> None:
        write_line(self.out, record)
