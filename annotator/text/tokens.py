"""Token and grapheme edges, for snapping selections to what a reader means.

A token is a run of letters, marks (harakat), digits, tatweel and joiners, or one
other visible character (punctuation, a symbol, an emoji cluster). Selections snap to the
whole tokens they touch; in character mode they still never split a grapheme, so harakat
stay with their letter and 👍🏽 stays whole.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right

ZWJ, ZWNJ, TATWEEL = "\u200d", "\u200c", "\u0640"
_WORD_CATEGORIES = ("L", "M", "N")
_INNER = {ZWJ, ZWNJ, TATWEEL, "\u00ad"}  # joiners and soft hyphen stay inside a word


def is_word_char(ch: str) -> bool:
    return ch in _INNER or unicodedata.category(ch)[0] in _WORD_CATEGORIES


def _extends_cluster(prev: str, ch: str) -> bool:
    """True when ``ch`` belongs to the grapheme that ``prev`` ends."""
    if prev.isspace():
        return False  # a stray mark after a space is a token of its own, not part of it
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Mc"):
        return True
    code = ord(ch)
    if 0x1F3FB <= code <= 0x1F3FF or 0xFE00 <= code <= 0xFE0F or 0xE0020 <= code <= 0xE007F:
        return True  # skin tones, variation selectors, tag characters
    if ch == ZWJ or prev == ZWJ and not is_word_char(ch):
        return True  # emoji ZWJ sequences (a ZWJ between letters is a word character)
    return False


def grapheme_starts(text: str) -> list[int]:
    """Indices where a grapheme cluster starts (simplified UAX #29), plus len(text)."""
    starts = []
    regional = 0
    for i, ch in enumerate(text):
        if i and _extends_cluster(text[i - 1], ch):
            continue
        if 0x1F1E6 <= ord(ch) <= 0x1F1FF:  # flags: regional indicators pair up
            regional += 1
            if regional % 2 == 0:
                continue
        else:
            regional = 0
        starts.append(i)
    starts.append(len(text))
    return starts


class TokenIndex:
    """The token and grapheme edges of one text, for repeated snapping."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.graphemes = grapheme_starts(text)
        self.tokens: list[tuple[int, int]] = []
        g = self.graphemes
        i = 0
        while i < len(g) - 1:
            start, end = g[i], g[i + 1]
            if text[start].isspace():
                i += 1
                continue
            if is_word_char(text[start]):
                while i + 1 < len(g) - 1 and is_word_char(text[g[i + 1]]):
                    i += 1
                end = g[i + 1]
            self.tokens.append((start, end))
            i += 1
        self._starts = [t[0] for t in self.tokens]
        self._ends = [t[1] for t in self.tokens]

    def snap_chars(self, start: int, end: int) -> tuple[int, int]:
        """Widen ``[start, end)`` to whole graphemes."""
        g = self.graphemes
        s = g[max(0, bisect_right(g, start) - 1)]
        e = g[min(len(g) - 1, bisect_left(g, end))]
        return s, max(e, s)

    def snap_tokens(self, start: int, end: int) -> tuple[int, int]:
        """Widen ``[start, end)`` to the whole tokens it touches, without edge spaces.

        A range touching no token (only spaces) is returned empty at ``start``.
        """
        if start > end:
            start, end = end, start
        first = bisect_right(self._ends, start)  # first token ending after start
        last = bisect_left(self._starts, end) - 1  # last token starting before end
        if end == start:  # a click: the token under it
            last = first if first < len(self.tokens) and self._starts[first] <= start else -1
        if first > last:
            return start, start
        return self.tokens[first][0], self.tokens[last][1]

    def token_at(self, index: int) -> tuple[int, int] | None:
        k = bisect_right(self._starts, index) - 1
        if k >= 0 and self.tokens[k][0] <= index < self.tokens[k][1]:
            return self.tokens[k]
        return None
