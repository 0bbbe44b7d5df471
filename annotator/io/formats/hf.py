"""Hugging Face token classification: JSONL that ``datasets.load_dataset("json", ...)``
loads as it is.

One row per document and annotator::

    {"id", "annotator", "tokens": [...], "ner_tags": [0, 1, 2, ...], "tags": ["O",
     "B-PERSON", "I-PERSON", ...], "offsets": [[start, end], ...], "text", "sha256"}

``ner_tags`` index the label list ``["O", "B-PERSON", "I-PERSON", ...]`` (every label of
the project, in schema order, so ids are the same in every export of the project),
written beside the data as ``NAME.labels.json``; ``tags`` are the same tags as strings.
``offsets`` and ``text`` let a reader map predictions back to the text exactly. Tokens,
overlaps and spans off token edges: :mod:`annotator.io.formats.bio`.
"""

from __future__ import annotations

import json
import os
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
from annotator.io.formats.bio import check_tag, decode, tag_record
from annotator.io.formats.native import read_jsonl, write_line
from annotator.io.formats.newsfane import detokenise


def label_list(labels: tuple[str, ...]) -> list[str]:
    return ["O", *(f"{p}-{name}" for name in labels for p in ("B", "I"))]


SPLIT_PARTS = (".train", ".dev", ".test")


def labels_path(data: Path) -> Path:
    """``corpus.labels.json`` beside ``corpus.jsonl`` and its splits (``corpus.train.jsonl``)."""
    stem = data.stem
    for part in SPLIT_PARTS:
        stem = stem.removesuffix(part)
    return data.with_name(f"{stem}.labels.json")


class HfWriter(LineWriter):
    def __init__(self, path: Path, options: WriteOptions) -> None:
        super().__init__(path, options)
        self.names = label_list(options.labels)
        self.ids = {tag: i for i, tag in enumerate(self.names)}

    def write(self, record: Record) -> None:
        o = self.options
        tokens, tags, _ = tag_record(record, o.overlap, o.misaligned, o.priority or o.labels,
                                          o.warnings)
        text = record["text"]
        write_line(self.out, {
            "id": record["id"], "annotator": record["annotator"],
            "tokens": [text[s:e] for s, e in tokens],
            "ner_tags": [self.ids[t] for t in tags], "tags": tags,
            "offsets": [[s, e] for s, e in tokens], "text": text, "sha256": record["sha256"],
        })

    def close(self) -> None:
        super().close()
        target = labels_path(self.options.target or self.path)
        tmp = target.with_name(target.name + ".part")
        tmp.write_text(json.dumps(self.names, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, target)


def _names(path: Path) -> list[str] | None:
    for candidate in (labels_path(path), path.with_name("labels.json")):
        if candidate.is_file():
            names = json.loads(candidate.read_text(encoding="utf-8"))
            if isinstance(names, list) and all(isinstance(n, str) for n in names):
                return names
            raise FormatError(f"{candidate.name} must be a list of tag strings")
    return None


def _convert(names: list[str] | None) -> Any:
    def convert(obj: Any, line: int) -> Any:
        if not isinstance(obj, dict) or not isinstance(obj.get("tokens"), list):
            raise FormatError('a row needs "tokens" (a list of strings)', line)
        tokens = obj["tokens"]
        raw = obj.get("tags", obj.get("ner_tags"))
        if not isinstance(raw, list) or len(raw) != len(tokens):
            raise FormatError('"ner_tags" (or "tags") must be a list as long as "tokens"', line)
        tags = []
        for t in raw:
            if isinstance(t, int) and not isinstance(t, bool):
                if names is None or not 0 <= t < len(names):
                    raise FormatError(f"tag id {t} without a label list (NAME.labels.json) "
                                      "that holds it", line)
                t = names[t]
            why = check_tag(t) if isinstance(t, str) else f"tag {t!r} is not a string"
            if why:
                raise FormatError(why, line)
            tags.append(t)
        text, offsets = obj.get("text"), obj.get("offsets")
        exact = (
            isinstance(text, str) and isinstance(offsets, list) and len(offsets) == len(tokens)
            and all(isinstance(o, list) and len(o) == 2 and all(isinstance(v, int) for v in o)
                    and 0 <= o[0] < o[1] <= len(text) and text[o[0]:o[1]] == tok
                    for o, tok in zip(offsets, tokens, strict=True))
        )
        meta: dict[str, Any] = {}
        if not exact:
            if not all(isinstance(t, str) and t for t in tokens):
                raise FormatError("tokens must be non-empty strings", line)
            text, pairs = detokenise(tokens)
            offsets = [list(p) for p in pairs]
            meta = {"tokens": offsets, "sentences": [0]}
        spans = [{"start": offsets[i][0], "end": offsets[j - 1][1], "label": kind}
                 for i, j, kind in decode(tags)]
        return {"id": obj.get("id"), "text": text, "annotator": obj.get("annotator"),
                "spans": spans, "meta": meta}

    return convert


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """Rows with ``tokens`` and tags. With exact ``text`` and ``offsets`` (as written
    here) the text is kept; otherwise it is rebuilt from the tokens."""
    return list(read_jsonl(path, options.annotator, _convert(_names(path))))
