"""doccano's sequence-labelling JSONL, in both of its shapes.

- ``doccano``: ``{"text", "label": [[start, end, "LABEL"], ...]}`` (no relations).
- ``doccano-rel``: ``{"text", "entities": [{"id", "label", "start_offset",
  "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}``.

We also write ``id`` (the document name), ``annotator``, ``sha256`` and ``meta``; doccano
keeps columns it does not know as metadata. One line per document and annotator.

Offsets: doccano's web client counts JavaScript string positions, i.e. UTF-16 code
units, so an emoji is 2 and every offset after it is one more than Python's index
(doccano issues #2290 and #2484, both open; PR #108 had once converted them, the current
client does not). So offsets are UTF-16 by default, converted at this boundary in both
directions; ``offsets="codepoints"`` reads and writes Python indices instead (for a
project set to count grapheme clusters, neither is right: such offsets are refused when
they fall inside a character and otherwise land elsewhere, which the text check reports
only where a span's text is known).
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
    unit_mapper,
)
from annotator.io.formats.native import read_jsonl, write_line

DEFAULT_UNITS = "utf16"


def _head(record: Record) -> dict[str, Any]:
    return {"id": record["id"], "text": record["text"], "annotator": record["annotator"],
            "sha256": record["sha256"], "meta": record["meta"]}


class LabelWriter(LineWriter):
    def write(self, record: Record) -> None:
        to, _ = unit_mapper(record["text"], self.options.offsets or DEFAULT_UNITS)
        line = _head(record)
        line["label"] = [[to(s["start"]), to(s["end"]), s["label"]] for s in record["spans"]]
        write_line(self.out, line)
        if record["relations"]:
            self.options.warnings.append(
                f"{record['id']} ({record['annotator']}): {len(record['relations'])} "
                "relations left out: this doccano shape has none (use doccano-rel)"
            )


class RelationWriter(LineWriter):
    def write(self, record: Record) -> None:
        to, _ = unit_mapper(record["text"], self.options.offsets or DEFAULT_UNITS)
        line = _head(record)
        line["entities"] = [
            {"id": i + 1, "label": s["label"], "start_offset": to(s["start"]),
             "end_offset": to(s["end"])}
            for i, s in enumerate(record["spans"])
        ]
        line["relations"] = [
            {"id": i + 1, "from_id": r["from"] + 1, "to_id": r["to"] + 1, "type": r["type"]}
            for i, r in enumerate(record["relations"])
        ]
        write_line(self.out, line)


def _offset(back: Any, value: object, what: str, line: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(f"{what} must be an integer, not {value!r}", line)
    index = back(value)
    if index is None:
        raise FormatError(
            f"{what} {value} falls inside a character (between the two UTF-16 units of an "
            "emoji); are these offsets code points? (--offsets codepoints)", line)
    return index


def _convert(units: str) -> Any:
    def convert(obj: Any, line: int) -> Any:
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            return obj  # native checks name what is wrong
        _, back = unit_mapper(obj["text"], units)
        out = {k: obj[k] for k in ("id", "text", "annotator", "sha256", "meta") if k in obj}
        if not isinstance(out.get("meta", {}), dict):
            out.pop("meta")  # doccano's own metadata column may be anything
        spans: list[dict[str, Any]] = []
        relations: list[dict[str, Any]] = []
        if "entities" in obj:
            ids: dict[Any, int] = {}
            for k, e in enumerate(obj["entities"] if isinstance(obj["entities"], list) else []):
                if not isinstance(e, dict) or not {"id", "label", "start_offset",
                                                   "end_offset"} <= e.keys():
                    raise FormatError(f"entity {k} needs id, label, start_offset, end_offset",
                                      line)
                if isinstance(e["id"], bool) or not isinstance(e["id"], int | str):
                    raise FormatError(f"entity {k} id must be an integer or a string", line)
                ids[e["id"]] = len(spans)
                spans.append({"label": e["label"],
                              "start": _offset(back, e["start_offset"], f"entity {k} start", line),
                              "end": _offset(back, e["end_offset"], f"entity {k} end", line)})
            raw_relations = obj.get("relations") or []
            if not isinstance(raw_relations, list):
                raise FormatError('"relations" must be a list', line)
            for k, r in enumerate(raw_relations):
                if not isinstance(r, dict) or not all(
                        isinstance(r.get(end), int | str) and r[end] in ids
                        for end in ("from_id", "to_id")):
                    raise FormatError(f"relation {k} does not join two entities of the line",
                                      line)
                relations.append({"from": ids[r["from_id"]], "to": ids[r["to_id"]],
                                  "type": r.get("type")})
        else:
            raw = obj.get("label", obj.get("labels", []))
            for k, item in enumerate(raw if isinstance(raw, list) else [raw]):
                if not (isinstance(item, list) and len(item) == 3):
                    raise FormatError(f"label {k} must be [start, end, LABEL], not {item!r}",
                                      line)
                spans.append({"label": item[2],
                              "start": _offset(back, item[0], f"label {k} start", line),
                              "end": _offset(back, item[1], f"label {k} end", line)})
        out["spans"] = spans
        out["relations"] = relations
        return out

    return convert


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """Either doccano shape (told apart per line by ``entities`` or ``label``)."""
    return list(read_jsonl(path, options.annotator, _convert(options.offsets or DEFAULT_UNITS)))
