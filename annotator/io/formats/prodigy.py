"""JSONL with Prodigy-style ``tokens`` and ``spans``, one line per document and annotator.

``{"text", "tokens": [{"text", "start", "end", "id", "ws"}], "spans": [{"start", "end",
"label", "token_start", "token_end", "text"}], "relations": [{"head", "child", "label",
"head_span", "child_span"}], "id", "annotator", "_annotator_id", "sha256", "meta"}``

Tokens are the spaCy Doc's of :mod:`annotator.io.formats.docbin` (so every span is whole
tokens); ``token_end`` is inclusive, as in Prodigy. A relation's ``head`` and ``child``
are the last tokens of its two spans, which ``head_span`` and ``child_span`` give whole.
Offsets are code points (Prodigy is Python). Reading needs no spaCy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.io.formats import (
    Candidate,
    FormatError,
    LineWriter,
    ReadOptions,
    Record,
    WriteOptions,
)
from annotator.io.formats.docbin import blank_arabic, make_doc
from annotator.io.formats.native import read_jsonl, write_line


class ProdigyWriter(LineWriter):
    def __init__(self, path: Path, options: WriteOptions) -> None:
        super().__init__(path, options)
        self.nlp = blank_arabic()

    def write(self, record: Record) -> None:
        doc = make_doc(self.nlp, record, self.options)
        spans = []
        for s in record["spans"]:
            span = doc.char_span(s["start"], s["end"])
            spans.append({"start": s["start"], "end": s["end"], "label": s["label"],
                          "token_start": span.start, "token_end": span.end - 1,
                          "text": s["text"]})
        relations = [
            {"head": spans[r["from"]]["token_end"], "child": spans[r["to"]]["token_end"],
             "label": r["type"], "head_span": spans[r["from"]], "child_span": spans[r["to"]]}
            for r in record["relations"]
        ]
        write_line(self.out, {
            "text": record["text"],
            "tokens": [{"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i,
                        "ws": bool(t.whitespace_)} for t in doc],
            "spans": spans, "relations": relations, "id": record["id"],
            "annotator": record["annotator"], "_annotator_id": record["annotator"],
            "sha256": record["sha256"], "meta": record["meta"],
        })


def _hashable(span: dict[str, Any]) -> bool:
    """A span whose key can index it (native checks name what else is wrong)."""
    return all(isinstance(span.get(k), int | str | None) for k in ("start", "end", "label"))


def _convert(obj: Any, line: int) -> Any:
    if not isinstance(obj, dict):
        return obj
    out = {k: obj[k] for k in ("id", "text", "sha256", "meta") if k in obj}
    out["annotator"] = obj.get("annotator") or obj.get("_annotator_id")
    raw = obj.get("spans") or []
    if not isinstance(raw, list):
        raise FormatError('"spans" must be a list', line)
    spans = [{k: s[k] for k in ("start", "end", "label", "text") if k in s}
             if isinstance(s, dict) else s for s in raw]
    index = {(s.get("start"), s.get("end"), s.get("label")): i
             for i, s in enumerate(spans) if isinstance(s, dict) and _hashable(s)}
    relations = []
    for k, r in enumerate(obj.get("relations") or []):
        ends = []
        for role in ("head_span", "child_span"):
            s = r.get(role) if isinstance(r, dict) else None
            key = (s.get("start"), s.get("end"), s.get("label")) if isinstance(
                s, dict) and _hashable(s) else None
            if key not in index:
                raise FormatError(f"relation {k}: its {role} is not one of the line's spans",
                                  line)
            ends.append(index[key])
        relations.append({"from": ends[0], "to": ends[1], "type": r.get("label")})
    out["spans"], out["relations"] = spans, relations
    return out


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    return list(read_jsonl(path, options.annotator, _convert))
