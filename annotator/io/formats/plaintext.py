"""Plain ``.txt`` articles: one file, one document."""

from __future__ import annotations

from pathlib import Path

from annotator.io.formats import Candidate, FormatError
from annotator.text.canonical import TextDecodeError, canonical, decode, looks_binary


class Skip(Exception):
    """A file deliberately not imported (empty, binary); the message says why."""


def _ascii_compatible(encoding: str) -> bool:
    return "a".encode(encoding) == b"a"


def read_text_file(path: Path, name: str, encoding: str = "utf-8") -> Candidate:
    """Read, decode and canonicalise one article.

    Raises :class:`Skip` for empty and binary files and :class:`FormatError` for bytes
    that do not decode.
    """
    data = path.read_bytes()
    if not data:
        raise Skip("empty file")
    if _ascii_compatible(encoding) and looks_binary(data):
        hint = " (UTF-16? try --encoding utf-16)" if b"\x00" in data[:4096] else ""
        raise Skip(f"binary file{hint}")
    try:
        text = decode(data, encoding)
    except TextDecodeError as exc:
        hint = " (a legacy corpus? try --encoding cp1256)" if encoding.lower() in (
            "utf-8",
            "utf8",
        ) else ""
        raise FormatError(
            f"not valid {exc.encoding} at column {exc.column}{hint}", exc.line
        ) from None
    doc = canonical(text)
    if not doc.text.strip():
        raise Skip("empty file (only white space)")
    if "\x00" in doc.text:
        raise Skip("binary file (holds NUL characters)")
    return Candidate(name=name, text=doc.text, sha256=doc.sha256, source_path=str(path))
