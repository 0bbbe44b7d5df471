"""Token-level labels: each annotator's spans turned into one label per token.

The tokens are :class:`annotator.text.tokens.TokenIndex`'s, computed here with numpy over many
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

from annotator.text.tokens import TokenIndex, is_word_char

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
    """TokenIndex's tokens of a text without complex characters, vectorised. Such a text
    is all in the Basic Multilingual Plane, so UTF-16 has one unit per character."""
    cls = np.take(_classes(), np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16))
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


def token_bounds(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of several texts laid end to end, one position apart (as if joined by
    a line break): (text index, start, end) per token in text order, with offsets into
    that layout, and where each text starts in it. Texts without complex characters are
    joined so, for real (a line break is white space: no token crosses it), and
    tokenised in one vectorised pass."""
    lengths = np.asarray([len(t) + 1 for t in texts], dtype=np.int64)
    base = np.cumsum(lengths) - lengths
    simple = [i for i, t in enumerate(texts) if not _COMPLEX.search(t)]
    docs, begins, ends = [], [], []
    if simple:
        begin, end = _simple_bounds("\n".join(texts[i] for i in simple))
        if len(simple) == len(texts):
            doc = np.searchsorted(base, begin, side="right") - 1
        else:  # move each text's tokens from the joined string to its place
            joined = np.cumsum(lengths[simple]) - lengths[simple]
            where = np.searchsorted(joined, begin, side="right") - 1
            doc = np.asarray(simple, dtype=np.int64)[where]
            shift = base[doc] - joined[where]
            begin, end = begin + shift, end + shift
        docs.append(doc)
        begins.append(begin)
        ends.append(end)
    for i in sorted(set(range(len(texts))) - set(simple)):
        toks = np.asarray(TokenIndex(texts[i]).tokens, dtype=np.int64).reshape(-1, 2)
        docs.append(np.full(len(toks), i, dtype=np.int64))
        begins.append(toks[:, 0] + base[i])
        ends.append(toks[:, 1] + base[i])
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, base
    doc, begin, end = np.concatenate(docs), np.concatenate(begins), np.concatenate(ends)
    if len(simple) < len(texts):  # the TokenIndex ones came last; put every text in place
        order = np.argsort(begin)
        doc, begin, end = doc[order], begin[order], end[order]
    return doc, begin, end, base


def _search(sorted_array: np.ndarray, keys: np.ndarray, side: str) -> np.ndarray:
    """``np.searchsorted`` with the keys sorted first: on 10 million tokens, 20 times
    faster than with keys in span order (each search starts where the last one ended)."""
    order = np.argsort(keys)
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = np.searchsorted(sorted_array, keys[order], side)  # type: ignore[call-overload]
    return out


@dataclass(frozen=True)
class SpanArrays:
    """One annotator's spans as parallel arrays: document index, start, end, label code."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)


@dataclass(frozen=True)
class Tokens:
    """All tokens of the compared documents, in document order. Offsets are into the
    documents' texts laid end to end, one position apart (``base``), so one sorted array
    serves every document and no span can reach another document's tokens."""

    doc: np.ndarray  # document index of each token (int32)
    start: np.ndarray  # base[doc] + the token's start in its text (int32 where it fits)
    end: np.ndarray
    base: np.ndarray  # where each document's text starts

    def __len__(self) -> int:
        return len(self.doc)

    def labels(self, spans: SpanArrays) -> np.ndarray:
        """One label code per token (0 for O), by the innermost-span rule above."""
        out = np.zeros(len(self.doc), dtype=np.int32)
        if not len(spans):
            return out
        base = self.base[spans.doc]
        width = self.start.dtype  # keys of the same type: no converted copy of the tokens
        first = _search(self.end, (base + spans.start).astype(width), "right")  # end after
        stop = _search(self.start, (base + spans.end).astype(width), "left")  # start before
        count = np.maximum(stop - first, 0)
        which = np.repeat(np.arange(len(spans)), count)
        token = np.arange(len(which)) + np.repeat(first - (np.cumsum(count) - count), count)
        # innermost first: the smallest (length, label code) wins each token
        codes = int(spans.label.max()) + 1
        rank = (spans.end - spans.start) * codes + spans.label
        kind = np.int32 if rank.max() < np.iinfo(np.int32).max else np.int64
        none = np.iinfo(kind).max
        best = np.full(len(self.doc), none, dtype=kind)
        np.minimum.at(best, token, rank[which].astype(kind))
        covered = best != none
        out[covered] = best[covered] % codes
        return out
