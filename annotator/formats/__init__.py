"""File formats: readers turn files into :class:`Candidate` documents, writers export.

A reader never touches the database. It validates a whole file and either returns its
candidates or raises :class:`FormatError` naming the line, so nothing partial of a bad
file is ever stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FormatError(ValueError):
    """A file cannot be read; ``line`` (1-based) says where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)

    def located(self, path: str) -> str:
        where = f"{path}, line {self.line}" if self.line else path
        return f"{where}: {self}"


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
