"""Canonical text: decoding, line ends, hashing and offset maps.

Every document is canonicalised once, at import, before any span exists (ARABIC.md):
strict decoding (UTF-8 by default, its BOM stripped), CRLF and lone CR turned into LF.
No Unicode normalisation happens: NFC reorders harakat and NFKC expands ligatures, and
either would move offsets. Offsets everywhere are Python ``str`` indices.
"""

from __future__ import annotations

import codecs
import hashlib
from bisect import bisect_right
from dataclasses import dataclass

BOM = "\ufeff"

# Bytes that never appear in text files; a file holding them is binary, not mis-encoded.
_BINARY_CONTROL = set(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | {
    0x1C,
    0x1D,
    0x1E,
    0x1F,
}

_BINARY_BYTES = bytes(sorted(_BINARY_CONTROL))


class TextDecodeError(ValueError):
    """A file's bytes do not decode with the chosen codec.

    ``line`` and ``column`` (1-based) locate the first bad byte so that the message can
    name the place in the file.
    """

    def __init__(self, encoding: str, line: int, column: int, detail: str) -> None:
        self.encoding = encoding
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: not valid {encoding} ({detail})")


@dataclass(frozen=True)
class Canonical:
    """A canonical document text with its SHA-256 (hex)."""

    text: str
    sha256: str


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a leading BOM is removed."""
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of the UTF-8 bytes of a canonical text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def canonical(text: str) -> Canonical:
    """Canonicalise an already-decoded text and hash it."""
    text = normalise_newlines(text)
    return Canonical(text, text_sha256(text))


def looks_binary(data: bytes, sample: int = 8192) -> bool:
    """True when the first bytes hold control characters no text file has.

    UTF-16 text also trips this (every other byte is NUL); the import error then says
    the file is binary or UTF-16, and the user can pass ``--encoding utf-16``.
    """
    head = data[:sample]
    # translate() deletes those bytes in C; a per-byte Python loop cost 0.2 ms a file.
    return len(head.translate(None, _BINARY_BYTES)) != len(head)


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """Strictly decode bytes, stripping a BOM. Raises :class:`TextDecodeError`.

    The error names the line and column of the first byte that does not decode.
    """
    name = codecs.lookup(encoding).name
    if name == "utf-8":
        name = "utf-8-sig"  # strips the BOM, still strict
    try:
        text = data.decode(name, errors="strict")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise TextDecodeError(encoding, line, column, exc.reason) from None
    if text.startswith(BOM):
        text = text[1:]
    return text


def line_of(text: str, index: int) -> int:
    """1-based line number of a str index."""
    return text.count("\n", 0, index) + 1


class Utf16Map:
    """Maps Python str indices to UTF-16 code-unit positions (Qt's) and back.

    Only characters outside the BMP differ (2 units, 1 index), so the map stores just
    their indices; texts without them map by identity.
    """

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        # Qt position of each astral character's first unit.
        self._astral_q = [i + k for k, i in enumerate(self._astral)]
        self.length = len(text)

    def to_qt(self, index: int) -> int:
        """Python str index -> UTF-16 position."""
        return index + bisect_right(self._astral, index - 1)

    def from_qt(self, position: int) -> int:
        """UTF-16 position -> Python str index (a position inside a pair rounds down)."""
        k = bisect_right(self._astral_q, position - 2)  # astral characters wholly before
        if k < len(self._astral_q) and self._astral_q[k] == position - 1:
            return self._astral[k]
        return position - k
