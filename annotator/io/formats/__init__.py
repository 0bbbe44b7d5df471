"""File formats: readers turn files into :class:`Candidate` documents, writers export.
Imports annotator.text only (and each format's own library, when it is used).

A reader never touches the database. It validates a whole file and either returns its
candidates or raises :class:`FormatError` naming the line, so nothing partial of a bad
file is ever stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from annotator.text.canonical import TextDecodeError, Utf16Map, decode


class FormatError(ValueError):
    """A file cannot be read; ``line`` (1-based) says where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)

    def located(self, path: str) -> str:
        where = f"{path}, line {self.line}" if self.line else path
        return f"{where}: {self}"


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16's (and, followed by two NULs, UTF-32's)


def read_utf8(path: Path, *, strip_bom: bool = True) -> str:
    """A file's text, strictly UTF-8 (a BOM stripped unless ``strip_bom`` is False).

    Raises :class:`FormatError` naming the line and column of the first bad byte, and
    saying so when the file looks UTF-16 or UTF-32 (a BOM, or NUL bytes early on), which
    every reader here refuses: tools that save "Unicode" on Windows write UTF-16."""
    data = path.read_bytes()
    wide = data.startswith(_WIDE_BOMS) or b"\x00" in data[:64]
    hint = "; the file looks like UTF-16 or UTF-32: save it as UTF-8" if wide else ""
    try:
        if strip_bom:
            text = decode(data, "utf-8")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line, column = _place(data, exc.start)
                raise TextDecodeError("utf-8", line, column, exc.reason) from None
    except TextDecodeError as exc:
        raise FormatError(f"not valid UTF-8 at column {exc.column}{hint}", exc.line) from None
    nul = data.find(b"\x00")
    if nul >= 0:  # valid UTF-8, but no text format holds NUL (UTF-16-LE Arabic decodes!)
        line, column = _place(data, nul)
        raise FormatError(f"a NUL byte at column {column}{hint}", line)
    return text


def _place(data: bytes, at: int) -> tuple[int, int]:
    """1-based (line, column) of byte ``at``."""
    before = data[:at]
    return before.count(b"\n") + 1, at - (before.rfind(b"\n") + 1) + 1


@dataclass(frozen=True)
class SpanIn:
    """A span arriving with a document, already checked against its text."""

    annotator: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class RelationIn:
    """A relation arriving with a document; spans by index in the candidate's spans."""

    annotator: str
    type: str
    from_index: int
    to_index: int


@dataclass
class Candidate:
    """A document read from a file, not yet stored."""

    name: str
    text: str
    sha256: str
    source_path: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # where it starts in its file, for messages
    spans: list[SpanIn] = field(default_factory=list)
    relations: list[RelationIn] = field(default_factory=list)
    # An annotator's progress on the document, when the file says it ("done" for a
    # document of a finished corpus, even one with no spans).
    status: tuple[str, str] | None = None  # (annotator, "new" | "in_progress" | "done")


Record = dict[str, Any]
"""One document and annotator as the exporters stream it: the native JSONL line (see
:mod:`annotator.io.formats.native`), which every writer converts to its own shape."""

OFFSET_UNITS = ("codepoints", "utf16")


@dataclass
class WriteOptions:
    """What a writer needs beyond the records; ``warnings`` collects what it reports."""

    labels: tuple[str, ...] = ()  # the project's labels in schema order
    priority: tuple[str, ...] = ()  # labels first to stay, for overlap="label-order"
    overlap: str = "longest"  # which overlapping spans BIO keeps (formats.bio)
    misaligned: str = "split"  # a span edge inside a token: split the token, or skip
    offsets: str | None = None  # "codepoints" or "utf16"; None: the format's default
    target: Path | None = None  # the output asked for (before any split)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReadOptions:
    annotator: str | None = None  # owner of every span read; overrides the file's
    doc_sentences: int = 50  # CoNLL-like files: sentences per document
    offsets: str | None = None
    encoding: str = "utf-8"


class LineWriter:
    """Base of the writers that write one text file a line (or a few) at a time."""

    def __init__(self, path: Path, options: WriteOptions) -> None:
        self.path = path
        self.options = options
        self.out: TextIO = path.open("w", encoding="utf-8", newline="\n")

    def write(self, record: Record) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.out.close()


def unit_mapper(text: str, unit: str) -> tuple[Callable[[int], int], Callable[[int], int | None]]:
    """(str index -> offset in ``unit``, offset in ``unit`` -> str index or None).

    JavaScript tools count UTF-16 code units: an emoji is 2 units but 1 Python index.
    The reverse map gives None for an offset that falls between the two units of one
    character, which no exact tool writes."""
    if unit not in OFFSET_UNITS:
        raise ValueError(f"offsets must be one of {', '.join(OFFSET_UNITS)}")
    if unit == "codepoints" or text.isascii() or max(text, default="\0") <= "\uffff":
        return (lambda i: i), (lambda u: u)
    table = Utf16Map(text)

    def back(u: int) -> int | None:
        i = table.from_qt(u)
        return i if table.to_qt(i) == u else None

    return table.to_qt, back
