"""Tokens, sentences and BIO tags for the token-level formats (CoNLL, Hugging Face).

A document's tokens are its own when it has them (``meta["tokens"]``, kept by the CoNLL
and NewsFANE importers, so that an export gives back the original tokenisation), else
:class:`annotator.text.tokens.TokenIndex`'s (dependency-free: runs of letters, harakat, digits
and tatweel, or one other visible character). A span edge that falls inside a token
splits that token (``misaligned="split"``) or leaves the span out (``"skip"``); an edge in
white space always leaves it out, since no token can start there. Either way the
export's warnings say so: a span is never moved silently.

BIO holds one label per token, so overlapping spans must give way: ``overlap`` chooses
which stay (the longest, the shortest, the first, or by the order of the labels), and
each span left out is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.text.tokens import TokenIndex

Tok = tuple[int, int]
OVERLAP_POLICIES = ("longest", "shortest", "first", "label-order")
MISALIGNED_POLICIES = ("split", "skip")
SENTENCE_END = {".", "!", "?", "؟", "…", "۔"}


@dataclass(frozen=True)
class FlatSpan:
    start: int
    end: int
    label: str
    index: int  # in the record's spans


def stored_tokens(text: str, meta: dict[str, Any] | None) -> list[Tok] | None:
    """The document's own tokens from ``meta["tokens"]``, if they are sound for ``text``:
    sorted, non-empty, not overlapping, and nothing but white space between them."""
    raw = (meta or {}).get("tokens")
    if not isinstance(raw, list) or not raw:
        return None
    out: list[Tok] = []
    pos = 0
    for item in raw:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            return None
        s, e = item
        if not (isinstance(s, int) and isinstance(e, int) and pos <= s < e <= len(text)):
            return None
        if text[pos:s].strip():
            return None
        out.append((s, e))
        pos = e
    return out if not text[pos:].strip() else None


def base_tokens(text: str, meta: dict[str, Any] | None) -> list[Tok]:
    return stored_tokens(text, meta) or TokenIndex(text).tokens


def describe(rec: dict[str, Any], span: FlatSpan) -> str:
    who = f" ({rec['annotator']})" if rec.get("annotator") else ""
    piece = rec["text"][span.start : span.end]
    return f"{rec['id']}{who}: {span.label} [{span.start}, {span.end}) {piece!r}"


def choose_flat(
    spans: Sequence[FlatSpan], policy: str, label_order: Sequence[str]
) -> tuple[list[FlatSpan], list[FlatSpan]]:
    """Split spans into (kept, dropped) so that no two kept spans overlap."""
    rank = {name: i for i, name in enumerate(label_order)}
    keys: dict[str, Callable[[FlatSpan], tuple[int, ...]]] = {
        "longest": lambda s: (s.start - s.end, s.start, s.index),
        "shortest": lambda s: (s.end - s.start, s.start, s.index),
        "first": lambda s: (s.start, s.start - s.end, s.index),
        "label-order": lambda s: (rank.get(s.label, len(rank)), s.start - s.end, s.start),
    }
    if policy not in keys:
        raise ValueError(f"overlap policy must be one of {', '.join(OVERLAP_POLICIES)}")
    kept: list[FlatSpan] = []
    dropped: list[FlatSpan] = []
    for span in sorted(spans, key=keys[policy]):
        if any(span.start < k.end and k.start < span.end for k in kept):
            dropped.append(span)
        else:
            kept.append(span)
    kept.sort(key=lambda s: (s.start, s.end))
    return kept, dropped


def fit_tokens(
    text: str, tokens: list[Tok], spans: Sequence[FlatSpan], misaligned: str
) -> tuple[list[Tok], list[FlatSpan], list[tuple[FlatSpan, str]]]:
    """Make every span start and end on a token edge.

    Returns (tokens, spans that fit, notes). A note is (span, what happened): a token
    split for it (``"split"``: the token cut by the span's edge becomes two), or why it
    was left out of the spans that fit.
    """
    if misaligned not in MISALIGNED_POLICIES:
        raise ValueError(f"misaligned must be one of {', '.join(MISALIGNED_POLICIES)}")
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    inside: dict[int, int] = {}  # a position strictly inside a token -> that token's index

    def token_around(pos: int) -> int | None:
        if pos in inside:
            return inside[pos]
        lo, hi = 0, len(tokens)
        while lo < hi:
            mid = (lo + hi) // 2
            if tokens[mid][1] <= pos:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(tokens) and tokens[lo][0] < pos < tokens[lo][1]:
            inside[pos] = lo
            return lo
        return None

    fitting: list[FlatSpan] = []
    notes: list[tuple[FlatSpan, str]] = []
    cuts: set[int] = set()
    for span in spans:
        bad = []
        for edge, ok in ((span.start, span.start in starts), (span.end, span.end in ends)):
            if ok:
                continue
            bad.append((edge, token_around(edge)))
        if any(k is None for _, k in bad):
            notes.append((span, "left out: an edge falls in white space, between tokens"))
        elif bad and misaligned == "skip":
            notes.append((span, "left out: an edge falls inside a token"))
        else:
            for edge, k in bad:
                assert k is not None
                s, e = tokens[k]
                notes.append((span, f"token {text[s:e]!r} split at {edge} to fit the span"))
                cuts.add(edge)
            fitting.append(span)
    if not cuts:
        return tokens, fitting, notes
    out: list[Tok] = []
    ordered = sorted(cuts)
    for s, e in tokens:
        pos = s
        for c in ordered:
            if s < c < e:
                out.append((pos, c))
                pos = c
        out.append((pos, e))
    return out, fitting, notes


def own_sentence_starts(text: str, meta: dict[str, Any] | None) -> set[int] | None:
    """Where the document's own sentences start (``meta["sentences"]``: the index of each
    sentence's first token in ``meta["tokens"]``), as str indices; None if it has none."""
    tokens = stored_tokens(text, meta)
    own = (meta or {}).get("sentences")
    if not tokens or not isinstance(own, list) or not own:
        return None
    if not all(isinstance(i, int) and 0 <= i < len(tokens) for i in own):
        return None
    return {tokens[i][0] for i in own}


def sentence_groups(
    text: str, tokens: Sequence[Tok], starts: set[int] | None, spans: Sequence[FlatSpan]
) -> list[range]:
    """Token index ranges, one per sentence.

    ``starts`` (str indices where sentences start) are used when given; otherwise a
    sentence ends at a line break or after . ! ? ؟. Never inside a span, so BIO stays
    valid."""
    n = len(tokens)
    firsts = [0] if n else []
    for i in range(1, n):
        if starts is not None:
            new = tokens[i][0] in starts
        else:
            gap = text[tokens[i - 1][1] : tokens[i][0]]
            new = "\n" in gap or text[tokens[i - 1][0] : tokens[i - 1][1]] in SENTENCE_END
        if new:
            firsts.append(i)
    inside = [(sp.start, sp.end) for sp in spans]
    firsts = [i for i in firsts if i == 0 or not any(a < tokens[i][0] < b for a, b in inside)]
    bounds = firsts + [n]
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def tag_record(
    record: dict[str, Any], overlap: str, misaligned: str, label_order: Sequence[str],
    warnings: list[str],
) -> tuple[list[Tok], list[str], list[range]]:
    """(tokens, BIO tags, sentences) of one record; what could not be carried is added
    to ``warnings``."""
    text = record["text"]
    spans = [FlatSpan(s["start"], s["end"], s["label"], i) for i, s in enumerate(record["spans"])]
    kept, dropped = choose_flat(spans, overlap, label_order)
    warnings.extend(f"{describe(record, sp)}: left out: overlaps a span kept" for sp in dropped)
    meta = record.get("meta")
    tokens, fitting, notes = fit_tokens(text, base_tokens(text, meta), kept, misaligned)
    warnings.extend(f"{describe(record, sp)}: {note}" for sp, note in notes)
    groups = sentence_groups(text, tokens, own_sentence_starts(text, meta), fitting)
    return tokens, encode(tokens, fitting), groups


def encode(tokens: Sequence[Tok], spans: Sequence[FlatSpan]) -> list[str]:
    """BIO tags for tokens, from non-overlapping spans that lie on token edges."""
    tags = ["O"] * len(tokens)
    by_start = {s: i for i, (s, _e) in enumerate(tokens)}
    for span in spans:
        i = by_start[span.start]
        tags[i] = f"B-{span.label}"
        i += 1
        while i < len(tokens) and tokens[i][1] <= span.end:
            tags[i] = f"I-{span.label}"
            i += 1
    return tags


def decode(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans as (first token, last token + 1, type) from BIO tags. An ``I-`` that does
    not continue a span of its type starts one (IOB1 and sloppy IOB2 read the same)."""
    out: list[tuple[int, int, str]] = []
    kind: str | None = None
    first = 0
    for i, tag in enumerate([*tags, "O"]):
        new = tag[2:] if tag[:2] in ("B-", "I-") else None
        if new is not None and tag[0] == "I" and new == kind:
            continue
        if kind is not None:
            out.append((first, i, kind))
        kind, first = new, i
    return out


def check_tag(tag: str) -> str | None:
    """Why ``tag`` is not a BIO tag, or None."""
    if tag == "O" or (tag[:2] in ("B-", "I-") and len(tag) > 2 and not any(
            c.isspace() for c in tag)):
        return None
    return f"tag {tag!r} is neither O nor B-LABEL / I-LABEL"
