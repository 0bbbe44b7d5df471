"""Token-level labels: each annotator's spans turned into one label per token.

The tokens are :class:`annotator.tokens.TokenIndex`'s, computed here with numpy over many
documents at once (:func:`token_bounds`); a text holding a character the vectorised rules
do not cover (anything outside the Basic Multilingual Plane, ZWJ, a variation selector)
goes through ``TokenIndex`` itself. The tests check both give the same tokens.

A token takes the label of a span that shares at least one character with it, so a span
over بغداد in the token وبغداد labels that token. Where several spans cover a token the
innermost wins: the shortest span in characters, and between spans of equal length, the
label that comes first in the project's schema. A token no span covers is ``O`` (code 0);
label codes are 1 + the label's place in the schema.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from annotator.tokens import TokenIndex, is_word_char

OTHER, WORD, SPACE = 0, 1, 2
# Characters whose rules (emoji clusters, flags, ZWJ sequences) only TokenIndex applies,
# and lone surrogates, which have no UTF-32 form.
_COMPLEX = re.compile("[\u200d\ufe00-\ufe0f\ud800-\udfff\U00010000-\U0010ffff]")


MARK = 4  # flag: a combining mark, part of the grapheme before it unless that is a space


@lru_cache(maxsize=1)
def _classes() -> np.ndarray:
    """Per BMP code point: OTHER, WORD or SPACE (what a grapheme starting with it is),
    plus MARK for a combining mark."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        ch = chr(cp)
        if ch.isspace():
            table[cp] = SPACE
        elif is_word_char(ch):
            table[cp] = WORD
        if unicodedata.category(ch)[0] == "M":
            table[cp] |= MARK
    return table


def _simple_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """TokenIndex's tokens of a text without complex characters, vectorised."""
    cls = np.take(_classes(), np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))
    joins = cls >= MARK
    joins[1:] &= cls[:-1] != SPACE
    joins[:1] = False
    starts = np.flatnonzero(~joins)  # grapheme starts
    first = cls[starts] & ~np.uint8(MARK)
    prev = np.empty_like(first)
    prev[:1] = SPACE
    prev[1:] = first[:-1]
    # A token starts at every non-space grapheme except a word one after a word one, and
    # runs to the next grapheme that is a space or starts a token.
    opens = (first != SPACE) & ((first == OTHER) | (prev != WORD))
    breaks = np.append(starts[(first == SPACE) | opens], len(cls))
    begin = starts[opens]
    end = breaks[np.searchsorted(breaks, begin, side="right")]
    return begin, end


def token_bounds(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of several texts: (document index, start, end), one row per token, in
    document then text order. Texts without complex characters are joined with a line
    break (white space: no token crosses it) and tokenised in one vectorised pass."""
    simple = [i for i, t in enumerate(texts) if not _COMPLEX.search(t)]
    simple_set = set(simple)
    docs, begins, ends = [], [], []
    if simple:
        joined = "\n".join(texts[i] for i in simple)
        begin, end = _simple_bounds(joined)
        bases = np.cumsum([0] + [len(texts[i]) + 1 for i in simple])
        where = np.searchsorted(bases, begin, side="right") - 1
        docs.append(np.asarray(simple, dtype=np.int64)[where])
        begins.append(begin - bases[where])
        ends.append(end - bases[where])
    for i, text in enumerate(texts):
        if i not in simple_set:
            toks = np.asarray(TokenIndex(text).tokens, dtype=np.int64).reshape(-1, 2)
            docs.append(np.full(len(toks), i, dtype=np.int64))
            begins.append(toks[:, 0])
            ends.append(toks[:, 1])
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    doc, begin, end = np.concatenate(docs), np.concatenate(begins), np.concatenate(ends)
    if len(simple) < len(texts):  # the TokenIndex ones came last; put every text in place
        order = np.argsort(doc, kind="stable")
        doc, begin, end = doc[order], begin[order], end[order]
    return doc, begin, end


@dataclass(frozen=True)
class SpanArrays:
    """One annotator's spans as parallel arrays: document index, start, end, label code."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)

    def take(self, mask: np.ndarray) -> SpanArrays:
        return SpanArrays(self.doc[mask], self.start[mask], self.end[mask], self.label[mask])


@dataclass(frozen=True)
class Tokens:
    """All tokens of the compared documents, in document order."""

    doc: np.ndarray  # document index of each token
    start: np.ndarray
    end: np.ndarray
    stride: int  # longer than any document: doc * stride + offset orders (doc, offset)

    def __len__(self) -> int:
        return len(self.doc)

    def labels(self, spans: SpanArrays) -> np.ndarray:
        """One label code per token (0 for O), by the innermost-span rule above."""
        out = np.zeros(len(self.doc), dtype=np.int32)
        if not len(spans):
            return out
        base = self.doc * self.stride
        first = np.searchsorted(base + self.end, spans.doc * self.stride + spans.start, "right")
        stop = np.searchsorted(base + self.start, spans.doc * self.stride + spans.end, "left")
        count = np.maximum(stop - first, 0)
        which = np.repeat(np.arange(len(spans)), count)
        offsets = np.cumsum(count) - count
        token = first[which] + np.arange(len(which)) - offsets[which]
        length = (spans.end - spans.start)[which]
        order = np.lexsort((spans.label[which], length, token))
        token, which = token[order], which[order]
        keep = np.ones(len(token), dtype=bool)
        keep[1:] = token[1:] != token[:-1]
        out[token[keep]] = spans.label[which[keep]]
        return out
