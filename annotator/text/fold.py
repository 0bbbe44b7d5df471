"""Folding Arabic for comparison: the one key every search, filter and matcher compares.

A folded text is never stored and never offered as an offset: each step below maps one
character to one character or deletes it, so a match in the folded text maps back to
exact ``str`` offsets of the original (:class:`Folded`).

- deleted: the harakat and Quranic marks (U+064B..U+065F), the superscript alef
  (U+0670), tatweel (U+0640), and the invisible controls web text carries (ZWJ, ZWNJ,
  ZWSP, the direction marks and isolates, the BOM)
- folded: أ إ آ ٱ to ا; ى and Persian ی to ي; ة to ه; Persian ک to ك; Arabic-Indic and
  Persian digits to ASCII; letters to lower case (one character to one: İ becomes i)
- only when asked (``seats=True``): ؤ to و and ئ to ي, the hamza's seat

A decomposed hamza (ا followed by U+0654) folds like the precomposed أ: the mark goes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

# Harakat (fathatan .. sukun): what a writer adds or leaves out at will.
HARAKAT = "".join(map(chr, range(0x064B, 0x0653)))
# What the old filter ignored: harakat, the superscript alef and tatweel.
MARKS = HARAKAT + "\u0670\u0640"
# Every mark that rides on a letter (harakat, maddah and hamza above/below, the rarer
# marks up to U+065F, the superscript alef): a match's end takes those after its last letter.
LETTER_MARKS = "".join(map(chr, range(0x064B, 0x0660))) + "\u0670"
CONTROLS = "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e" \
           "\u2066\u2067\u2068\u2069\ufeff"
DELETED = LETTER_MARKS + "\u0640" + CONTROLS

_FOLDS = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # alefs
    "\u0649": "\u064a", "\u06cc": "\u064a",  # alef maqsura, Persian yeh -> yeh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u06a9": "\u0643",  # Persian keheh -> kaf
    "\u0130": "i",  # the one letter whose lower case is two characters
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
}
_SEATS = {"\u0624": "\u0648", "\u0626": "\u064a"}  # hamza on waw, on yeh


@lru_cache(maxsize=2)
def _table(seats: bool) -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in DELETED}
    table.update({ord(k): v for k, v in _FOLDS.items()})
    if seats:
        table.update({ord(k): v for k, v in _SEATS.items()})
    return table


_DROP_MARKS = str.maketrans("", "", MARKS)
_DELETED = frozenset(DELETED)


def strip_marks(text: str) -> str:
    """``text`` without harakat, superscript alef and tatweel (and nothing else changed)."""
    return text.translate(_DROP_MARKS)


def fold(text: str, *, seats: bool = False) -> str:
    """The folded key of ``text`` (see the module docstring)."""
    return text.translate(_table(seats)).lower()


@dataclass(frozen=True)
class Folded:
    """A folded text and where each of its characters came from in the original.

    ``origins[i]`` is the index in ``original`` of folded character ``i``; ``None`` when
    nothing was deleted (then the two line up one to one)."""

    original: str
    text: str
    origins: array | None

    def origin(self, i: int) -> int:
        """The original index of folded character ``i`` (``len(text)`` maps to the end)."""
        if self.origins is None:
            return i
        return self.origins[i] if i < len(self.origins) else len(self.original)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` of the folded ``[start, end)`` (``end > start``).

        The start is the first letter's own index; the end takes in the marks written on
        the last letter (a haraka, a shadda, a decomposed hamza), so ``text[s:e]`` is the
        word as written. Deleted characters between the letters are inside the span."""
        first = self.origin(start)
        last = self.origin(end - 1) + 1
        original = self.original
        while last < len(original) and original[last] in LETTER_MARKS:
            last += 1
        return first, last

    def to_folded(self, index: int) -> int:
        """The folded index of the first folded character at or after original ``index``."""
        if self.origins is None:
            return index
        return bisect_left(self.origins, index)


def fold_with_map(text: str, *, seats: bool = False) -> Folded:
    """``text`` folded, with the map back to its offsets."""
    folded = fold(text, seats=seats)
    if len(folded) == len(text):
        return Folded(text, folded, None)
    deleted = _DELETED
    origins = array("i", (i for i, c in enumerate(text) if c not in deleted))
    assert len(origins) == len(folded)
    return Folded(text, folded, origins)
