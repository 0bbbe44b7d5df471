"""Label Studio JSON: a list of tasks, each with its annotations.

``{"data": {"text", "name", "sha256", "meta"}, "annotations": [{"annotator": NAME,
"ground_truth": bool, "result": [...]}]}``: one task per document, one annotation per
annotator. A span is a result ``{"id", "from_name": "label", "to_name": "text", "type":
"labels", "value": {"start", "end", "text", "labels": [LABEL]}}``; a relation is ``{"type":
"relation", "from_id", "to_id", "direction": "right", "labels": [TYPE]}``. The labelling
config that matches is in the README.

Offsets: Label Studio 1.0-1.3 counted JavaScript string positions (UTF-16 code units;
label-studio issue #1347: after an emoji every offset was one too many). The fix
(label-studio PR #1559, merged as label-studio-frontend PR #308) stores code points, and
the current editor's own tests ("Should calculate offsets by code points in text") pin
that. So offsets are code points, i.e. Python indices, by default; ``offsets="utf16"``
reads or writes the old versions' units. Reading checks ``value.text`` against the text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotator.io.formats import (
    Candidate,
    FormatError,
    LineWriter,
    ReadOptions,
    Record,
    WriteOptions,
    read_utf8,
    unit_mapper,
)
from annotator.io.formats.native import candidates

GOLD = "gold"


class TaskWriter(LineWriter):
    """Streams the list: a task is written once the next document begins."""

    def __init__(self, path: Path, options: WriteOptions) -> None:
        super().__init__(path, options)
        self.out.write("[")
        self.task: dict[str, Any] | None = None
        self.sha: str | None = None
        self.count = 0

    def _flush(self) -> None:
        if self.task is not None:
            self.out.write(",\n" if self.count else "\n")
            self.out.write(json.dumps(self.task, ensure_ascii=False))
            self.count += 1

    def write(self, record: Record) -> None:
        if record["sha256"] != self.sha:
            self._flush()
            self.sha = record["sha256"]
            data = {"text": record["text"], "name": record["id"], "sha256": record["sha256"],
                    "meta": record["meta"]}
            self.task = {"data": data, "annotations": []}
        if record["annotator"] is None:
            return
        to, _ = unit_mapper(record["text"], self.options.offsets or "codepoints")
        result: list[dict[str, Any]] = [
            {"id": f"s{i}", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": to(s["start"]), "end": to(s["end"]), "text": s["text"],
                       "labels": [s["label"]]}}
            for i, s in enumerate(record["spans"])
        ]
        result.extend(
            {"type": "relation", "from_id": f"s{r['from']}", "to_id": f"s{r['to']}",
             "direction": "right", "labels": [r["type"]]}
            for r in record["relations"]
        )
        assert self.task is not None
        self.task["annotations"].append(
            {"annotator": record["annotator"], "ground_truth": record["annotator"] == GOLD,
             "result": result}
        )

    def close(self) -> None:
        self._flush()
        self.out.write("\n]\n")
        super().close()


def _tasks(path: Path) -> list[tuple[int, Any]]:
    """(line, task) for each task of a JSON list (or a single task object)."""
    content = read_utf8(path)
    decoder = json.JSONDecoder()
    pos = len(content) - len(content.lstrip())
    if content[pos : pos + 1] != "[":
        try:
            return [(content.count("\n", 0, pos) + 1, json.loads(content))]
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON ({exc.msg})", exc.lineno) from None
    out = []
    pos += 1
    while True:
        while pos < len(content) and content[pos] in " \t\r\n,":
            pos += 1
        if content[pos : pos + 1] == "]":
            return out
        line = content.count("\n", 0, pos) + 1
        try:
            task, pos = decoder.raw_decode(content, pos)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON ({exc.msg})", exc.lineno) from None
        out.append((line, task))


def _annotation(text: str, ann: dict[str, Any], units: str, line: int) -> dict[str, Any]:
    _, back = unit_mapper(text, units)
    spans: list[dict[str, Any]] = []
    ids: dict[Any, int] = {}
    relations: list[tuple[Any, Any, Any]] = []
    results = ann.get("result") or []
    if not isinstance(results, list):
        raise FormatError('an annotation\'s "result" must be a list', line)
    for k, item in enumerate(results):
        if not isinstance(item, dict):
            raise FormatError(f"result {k} must be an object", line)
        value = item.get("value") or {}
        if not isinstance(value, dict):
            raise FormatError(f"result {k}: \"value\" must be an object", line)
        if not isinstance(item.get("id"), str | int | None):
            raise FormatError(f"result {k}: \"id\" must be a string", line)
        if item.get("type") == "relation":
            labels = item.get("labels") or [None]
            ends = (item.get("from_id"), item.get("to_id"))
            if not isinstance(labels, list) or not all(isinstance(e, str | int) for e in ends):
                raise FormatError(f"result {k}: a relation needs \"from_id\", \"to_id\" and "
                                  "a list of \"labels\"", line)
            for label in labels:
                relations.append((*ends, label))
            continue
        if "labels" not in value:
            continue  # choices, text areas and the like carry no span
        if not isinstance(value["labels"], list):
            raise FormatError(f"result {k}: \"labels\" must be a list", line)
        start, end = value.get("start"), value.get("end")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise FormatError(f"result {k}: start and end must be integers (a HyperText "
                              f"result with XPath offsets cannot be read), not {start!r}, "
                              f"{end!r}", line)
        s, e = back(start), back(end)
        if s is None or e is None:
            raise FormatError(f"result {k}: offset inside a character; are these code "
                              "points? (--offsets codepoints)", line)
        for label in value["labels"]:
            ids.setdefault(item.get("id"), len(spans))
            span = {"start": s, "end": e, "label": label}
            if "text" in value:
                span["text"] = value["text"]
            spans.append(span)
    rels = []
    for a, b, label in relations:
        if a not in ids or b not in ids:
            raise FormatError(f"relation {a!r} -> {b!r} does not join two labelled regions",
                              line)
        rels.append({"from": ids[a], "to": ids[b], "type": label})
    return {"spans": spans, "relations": rels}


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """One candidate per task and annotation (a task without annotations: one without
    spans). The annotator is ``options.annotator``, else the annotation's ``annotator``,
    else its ``completed_by`` e-mail."""
    units = options.offsets or "codepoints"
    items: list[tuple[int, Any]] = []
    for line, task in _tasks(path):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise FormatError('a task needs "data" with a "text" string', line)
        base = {"text": data["text"], "id": data.get("name", task.get("id")),
                "meta": data.get("meta") if isinstance(data.get("meta"), dict) else {}}
        if "sha256" in data:
            base["sha256"] = data["sha256"]
        annotations = task.get("annotations") or task.get("completions") or []
        if not isinstance(annotations, list) or not all(isinstance(a, dict)
                                                        for a in annotations):
            raise FormatError('a task\'s "annotations" must be a list of objects', line)
        if not annotations:
            items.append((line, base))
        for ann in annotations:
            who = ann.get("annotator")
            by = ann.get("completed_by")
            if who is None and isinstance(by, dict):
                who = by.get("email")
            items.append((line, {**base, "annotator": who,
                                 **_annotation(data["text"], ann, units, line)}))
    return candidates(items, path, options.annotator)
