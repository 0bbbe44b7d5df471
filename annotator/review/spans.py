"""Span agreement between two annotators: matches counted exactly and by overlap.

Exact: two spans match when they have the same document, start, end and label.
Overlap: they match when they have the same document and label and share at least one
character. Either way the matching is one-to-one: a span matches at most one of the
other annotator's, and the count is the largest number of such pairs (for exact matches,
min of the two annotators' copies of each identical span; for overlap, a maximum
bipartite matching, which :func:`_overlap_pairs` finds exactly with the greedy rule
below).

With ``a`` as reference and ``b`` as the other: precision = matches / b's spans, recall =
matches / a's spans, F1 = 2 * matches / (a's + b's spans). F1 is symmetric; swapping the
two swaps precision and recall.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from annotator.review.tokens import SpanArrays


@dataclass(frozen=True)
class MatchCounts:
    """Matches per (document, label) cell of a pair of annotators, as dense arrays."""

    matched: np.ndarray  # shape (documents, labels + 1); column 0 (O) stays empty
    reference: np.ndarray  # a's spans per cell
    other: np.ndarray  # b's spans per cell


def _cells(spans: SpanArrays, documents: int, codes: int) -> np.ndarray:
    counts = np.bincount(spans.doc * codes + spans.label, minlength=documents * codes)
    return counts.reshape(documents, codes)


def _both(a: SpanArrays, b: SpanArrays, codes: int) -> tuple[np.ndarray, ...]:
    """The two annotators' spans together: cell (doc * codes + label), start, end, and 1
    for a's."""
    side = np.concatenate([np.ones(len(a), dtype=np.int64), np.zeros(len(b), dtype=np.int64)])
    return (
        np.concatenate([a.doc * codes + a.label, b.doc * codes + b.label]),
        np.concatenate([a.start, b.start]),
        np.concatenate([a.end, b.end]),
        side,
    )


def _order(columns: list[np.ndarray], bounds: list[int]) -> np.ndarray:
    """The permutation sorting rows by the columns in turn (each in [0, bound)): one
    int64 key and one sort where it fits, else a lexsort."""
    if prod(bounds) >= 2**62:
        return np.lexsort(columns[::-1])
    key = columns[0]
    for column, bound in zip(columns[1:], bounds[1:], strict=True):
        key = key * bound + column
    return np.argsort(key)


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """True where a row of sorted keys differs from the row before it."""
    new = np.zeros(len(keys[0]), dtype=bool)
    new[:1] = True
    for key in keys:
        new[1:] |= key[1:] != key[:-1]
    return new


def exact_matches(a: SpanArrays, b: SpanArrays, documents: int, codes: int) -> np.ndarray:
    """Exact matches per (document, label) cell."""
    cell, start, end, side = _both(a, b, codes)
    if not len(cell):
        return np.zeros((documents, codes), dtype=np.int64)
    stride = int(end.max()) + 1
    order = _order([cell, start, end], [documents * codes, stride, stride])
    cell, start, end, side = cell[order], start[order], end[order], side[order]
    new = _group_starts(cell, start, end)
    group = np.cumsum(new) - 1
    in_a = np.bincount(group, weights=side).astype(np.int64)
    in_b = np.bincount(group).astype(np.int64) - in_a
    out = np.bincount(cell[new], weights=np.minimum(in_a, in_b), minlength=documents * codes)
    return out.astype(np.int64).reshape(documents, codes)


def _overlap_pairs(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """The largest number of one-to-one pairs of overlapping ranges, one from each list.

    Greedy, and exact: take the range (either side) that ends first; pair it with the
    other side's unpaired range that overlaps it and ends first, if any; repeat. An
    exchange argument shows some maximum matching contains that pair.
    """
    items = sorted([(e, s, 0) for s, e in a] + [(e, s, 1) for s, e in b])
    used = [False] * len(items)
    pairs = 0
    for i, (end, start, side) in enumerate(items):
        if used[i]:
            continue
        # Earlier items are settled: one overlapping this and unpaired would have taken it.
        for j in range(i + 1, len(items)):
            end2, start2, side2 = items[j]
            if not used[j] and side2 != side and start2 < end and start < end2:
                used[i] = used[j] = True  # items go by end: the first found ends first
                pairs += 1
                break
    return pairs


def overlap_matches(a: SpanArrays, b: SpanArrays, documents: int, codes: int) -> np.ndarray:
    """Overlap matches per (document, label) cell.

    Spans of one (document, label) cell are cut into clusters of ranges chained by
    overlaps (a sweep over starts). A cluster with at most one span of one annotator
    gives min(a's, b's) matches; only the rest go through the exact greedy matching.
    """
    cell, start, end, side = _both(a, b, codes)
    if not len(cell):
        return np.zeros((documents, codes), dtype=np.int64)
    stride = int(end.max()) + 1
    order = _order([cell, start], [documents * codes, stride])
    cell, start, end, side = cell[order], start[order], end[order], side[order]
    lo, hi = cell * stride + start, cell * stride + end
    reach = np.maximum.accumulate(hi)
    new = np.ones(len(lo), dtype=bool)
    new[1:] = lo[1:] >= reach[:-1]
    cluster = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    in_a = np.bincount(cluster, weights=side).astype(np.int64)
    in_b = np.bincount(cluster).astype(np.int64) - in_a
    matched = np.minimum(in_a, in_b)
    for k in np.flatnonzero(matched >= 2):
        ranges: list[list[tuple[int, int]]] = [[], []]
        for r in range(first[k], first[k] + in_a[k] + in_b[k]):
            ranges[side[r]].append((int(start[r]), int(end[r])))
        matched[k] = _overlap_pairs(ranges[1], ranges[0])
    out = np.bincount(cell[first], weights=matched, minlength=documents * codes)
    return out.astype(np.int64).reshape(documents, codes)


def match_counts(
    a: SpanArrays, b: SpanArrays, documents: int, codes: int, exact: bool
) -> MatchCounts:
    """Matches, a's spans and b's spans per (document, label) cell."""
    count = exact_matches if exact else overlap_matches
    return MatchCounts(
        count(a, b, documents, codes), _cells(a, documents, codes), _cells(b, documents, codes)
    )
