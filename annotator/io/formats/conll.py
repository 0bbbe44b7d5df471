"""CoNLL BIO (and NewsFANE Gold, which is CoNLL-like): one token and tag a line.

Written: ``-DOCSTART-<tab>O`` and a blank line before each document (and annotator),
then ``TOKEN<tab>TAG`` lines, a blank line after each sentence. Tags are IOB2
(``B-PERSON``, ``I-PERSON``, ``O``); tokens and overlaps as in :mod:`annotator.io.formats.bio`.

Read: ``-DOCSTART-`` starts a document; a blank (or white-space-only) line ends a
sentence; the token is the first column, the tag the last (tab- or space-separated).
Without ``-DOCSTART-`` lines, every ``doc_sentences`` sentences make a document. The text
is rebuilt from the tokens (a space between them, none before closing punctuation; a
line break between sentences), and the tokens and sentences are kept in the document's
``meta`` so that a CoNLL export gives back the same tokens, tag for tag. A file tags
every token, so each document is marked done for the annotator, spans or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.io.formats import (
    Candidate,
    FormatError,
    LineWriter,
    ReadOptions,
    Record,
    read_utf8,
)
from annotator.io.formats.bio import check_tag, decode, tag_record
from annotator.io.formats.native import candidates
from annotator.io.formats.newsfane import CORPUS, SCHEMA_LABEL, detokenise, read_sentences

DOCSTART = "-DOCSTART-"


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]
    lines: list[int]  # the file line of each token


class ConllWriter(LineWriter):
    def write(self, record: Record) -> None:
        o = self.options
        tokens, tags, groups = tag_record(record, o.overlap, o.misaligned, o.priority or o.labels,
                                          o.warnings)
        text = record["text"]
        out = [f"{DOCSTART}\tO\n\n"]
        for group in groups:
            out.extend(f"{text[tokens[i][0]:tokens[i][1]]}\t{tags[i]}\n" for i in group)
            out.append("\n")
        self.out.write("".join(out))


def _documents(path: Path) -> Iterator[tuple[bool, list[Sentence]]]:
    """(started by -DOCSTART-, sentences) for each run of the file."""
    content = read_utf8(path)
    sentences: list[Sentence] = []
    current = Sentence([], [], [])
    marked = False
    for n, raw in enumerate(content.replace("\r\n", "\n").split("\n"), start=1):
        if not raw.strip() or raw.startswith(DOCSTART):
            if current.tokens:
                sentences.append(current)
                current = Sentence([], [], [])
            if raw.startswith(DOCSTART):
                if sentences:
                    yield marked, sentences
                sentences, marked = [], True
            continue
        fields = raw.split("\t") if "\t" in raw else raw.split()
        token = fields[0].strip()
        if len(fields) < 2 or not token:
            raise FormatError(f"expected TOKEN<tab>TAG, got {raw!r}", n)
        tag = fields[-1].strip()
        why = check_tag(tag)
        if why:
            raise FormatError(why, n)
        current.tokens.append(token)
        current.tags.append(tag)
        current.lines.append(n)
    if current.tokens:
        sentences.append(current)
    if sentences:
        yield marked, sentences


def _chunks(path: Path, size: int) -> Iterator[list[Sentence]]:
    if size < 1:
        raise FormatError("documents need at least 1 sentence (--doc-sentences)")
    for marked, sentences in _documents(path):
        if marked:
            yield sentences
        else:
            for i in range(0, len(sentences), size):
                yield sentences[i : i + size]


def _record(
    name: str, sentences: list[Sentence], label_of: Callable[[str], str | None],
    skipped: list[tuple[int, str]], meta: dict[str, Any],
) -> dict[str, Any]:
    """A native line for one document rebuilt from its sentences."""
    parts: list[str] = []
    tokens: list[list[int]] = []
    firsts: list[int] = []
    spans: list[dict[str, Any]] = []
    pos = 0
    for sentence in sentences:
        if parts:
            parts.append("\n")
            pos += 1
        text, offsets = detokenise(sentence.tokens)
        firsts.append(len(tokens))
        tokens.extend([pos + s, pos + e] for s, e in offsets)
        for i, j, kind in decode(sentence.tags):
            start, end = pos + offsets[i][0], pos + offsets[j - 1][1]
            label = label_of(kind)
            if label is None:
                piece = " ".join(sentence.tokens[i:j])
                skipped.append((sentence.lines[i], f"entity {piece!r} of class {kind} has no "
                                "label in the schema; left out"))
            else:
                spans.append({"start": start, "end": end, "label": label})
        parts.append(text)
        pos += len(text)
    return {"id": name, "text": "".join(parts), "spans": spans, "status": "done",
            "meta": {**meta, "tokens": tokens, "sentences": firsts}}


def _read(
    path: Path, options: ReadOptions, chunks: list[list[Sentence]],
    label_of: Callable[[str], str | None], meta: Callable[[list[Sentence]], dict[str, Any]],
) -> list[Candidate | tuple[int, str]]:
    skipped: list[tuple[int, str]] = []
    width = max(4, len(str(len(chunks))))
    items = [
        (doc[0].lines[0], _record(f"{path.stem}-{k:0{width}d}", doc, label_of, skipped, meta(doc)))
        for k, doc in enumerate(chunks, start=1)
    ]
    out = candidates(items, path, options.annotator)
    return [*skipped, *out]


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """Documents of a CoNLL BIO file, with its entities as spans of the same labels."""
    chunks = list(_chunks(path, options.doc_sentences))
    return _read(path, options, chunks, lambda kind: kind, lambda doc: {})


def read_newsfane(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """NewsFANE Gold in documents of ``options.doc_sentences`` sentences; its fine
    classes become labels of the default schema (``SCHEMA_LABEL``)."""
    if options.doc_sentences < 1:
        raise FormatError("documents need at least 1 sentence (--doc-sentences)")
    sentences = []
    for s in read_sentences(path):
        for n, tag in enumerate(s.tags, start=s.line):
            why = check_tag(tag)
            if why:
                raise FormatError(why, n)
        lines = list(range(s.line, s.line + len(s.tokens)))
        sentences.append(Sentence(list(s.tokens), list(s.tags), lines))
    size = options.doc_sentences
    chunks = [sentences[i : i + size] for i in range(0, len(sentences), size)]
    return _read(path, options, chunks, SCHEMA_LABEL.get,
                 lambda doc: {"corpus": CORPUS, "line": doc[0].lines[0]})
