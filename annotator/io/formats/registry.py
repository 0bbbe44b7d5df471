"""The formats the importer reads and the exporter writes, by name.

Each format's module is imported only when it is used, so ``import annotator`` stays
cheap and spaCy is needed only for the spaCy formats.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.io.formats import Candidate, ReadOptions, WriteOptions

Reader = Callable[[Path, ReadOptions], list[Candidate | tuple[int, str]]]


@dataclass(frozen=True)
class Format:
    name: str
    summary: str
    suffixes: tuple[str, ...]  # what a folder import picks up; "" for none
    output: str  # the output's suffix, or "/" for a folder
    writer: str | None  # "module:Class", taking (path, WriteOptions)
    reader: str | None  # "module:function", taking (path, ReadOptions)
    offsets: str = "codepoints"  # the unit of its character offsets, by default

    def _load(self, ref: str) -> Any:
        module, name = ref.split(":")
        return getattr(importlib.import_module(f"annotator.io.formats.{module}"), name)

    def open_writer(self, path: Path, options: WriteOptions) -> Any:
        if self.writer is None:
            raise ValueError(f"{self.name} is an import format only")
        return self._load(self.writer)(path, options)

    def read(self, path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
        if self.reader is None:
            raise ValueError(f"{self.name} cannot be imported")
        reader: Reader = self._load(self.reader)
        return reader(path, options)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonl", "native JSONL", (".jsonl", ".ndjson"), ".jsonl",
               "native:NativeWriter", "native:read"),
        Format("spacy", "spaCy DocBin", (".spacy",), ".spacy",
               "docbin:DocBinWriter", "docbin:read"),
        Format("prodigy", "JSONL with Prodigy-style spans and tokens", (".jsonl",), ".jsonl",
               "prodigy:ProdigyWriter", "prodigy:read"),
        Format("hf", "Hugging Face token classification JSONL", (".jsonl",), ".jsonl",
               "hf:HfWriter", "hf:read"),
        Format("doccano", "doccano JSONL, label: [[start, end, LABEL]]", (".jsonl",), ".jsonl",
               "doccano:LabelWriter", "doccano:read", "utf16"),
        Format("doccano-rel", "doccano JSONL, entities + relations", (".jsonl",), ".jsonl",
               "doccano:RelationWriter", "doccano:read", "utf16"),
        Format("labelstudio", "Label Studio JSON tasks", (".json",), ".json",
               "labelstudio:TaskWriter", "labelstudio:read"),
        Format("conll", "CoNLL BIO: token and tag a line", (".conll", ".bio", ".txt"), ".conll",
               "conll:ConllWriter", "conll:read"),
        Format("brat", "brat standoff: .txt + .ann", (".ann",), "/",
               "brat:BratWriter", "brat:read"),
        Format("newsfane", "NewsFANE Gold (import only)", (".txt",), "",
               None, "conll:read_newsfane"),
    )
}


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}") from None
