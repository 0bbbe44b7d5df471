"""How the compared annotators' spans relate, for review mode (no Qt here).

Each span of each compared annotator falls in one class:
- ``AGREED``: every other compared annotator has a span with the same start, end and
  label;
- ``CONFLICT``: not agreed, and another annotator has a span overlapping it with a
  different label;
- ``SINGLE``: the rest: a span not everyone made (with two annotators, only one made
  it), or the same label with other edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from annotator.store.documents import SpanValue

AGREED, SINGLE, CONFLICT = "agreed", "single", "conflict"


def classify(spans: Mapping[str, Sequence[SpanValue]]) -> dict[int, str]:
    """The class of every span, by span id; ``spans`` maps each compared annotator
    (two or more) to their spans in one document."""
    exact: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for who, theirs in spans.items():
        for s in theirs:
            exact[(s.start, s.end, s.label)].add(who)
    everyone = set(spans)
    out: dict[int, str] = {}
    for who, theirs in spans.items():
        others = [s for other, ss in spans.items() if other != who for s in ss]
        for s in theirs:
            if exact[(s.start, s.end, s.label)] >= everyone:
                out[s.id] = AGREED
            elif any(o.label != s.label and o.start < s.end and s.start < o.end
                     for o in others):
                out[s.id] = CONFLICT
            else:
                out[s.id] = SINGLE
    return out


def differences(spans: Sequence[SpanValue], classes: Mapping[int, str]) -> list[SpanValue]:
    """The spans an adjudicator has to look at (not agreed), in text order."""
    return sorted((s for s in spans if classes.get(s.id, SINGLE) != AGREED),
                  key=lambda s: (s.start, -s.end, s.annotator, s.id))
