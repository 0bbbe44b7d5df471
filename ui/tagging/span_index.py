"""The spans of one open document, indexed for painting and hit testing.

Pure Python (no Qt): spans sorted by start, a lane per span so that overlapping spans
stack instead of hiding each other, and range queries that touch only the spans near the
visible text. Offsets are Python ``str`` indices, as everywhere in the core.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from annotator.store.documents import SpanValue


class SpanIndex:
    """Spans sorted by (start, longest first), each with a lane (0 = outermost)."""

    def __init__(self, spans: Sequence[SpanValue]) -> None:
        self.spans: list[SpanValue] = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
        self._starts = [s.start for s in self.spans]
        self._longest = max((s.end - s.start for s in self.spans), default=0)
        self.by_id = {s.id: s for s in self.spans}
        self.lane: dict[int, int] = {}
        lane_ends: list[int] = []
        for span in self.spans:
            # The lowest lane free at this start: an enclosing span keeps the lane below.
            for k, end in enumerate(lane_ends):
                if end <= span.start:
                    lane_ends[k] = span.end
                    self.lane[span.id] = k
                    break
            else:
                self.lane[span.id] = len(lane_ends)
                lane_ends.append(span.end)
        self.lanes = len(lane_ends)

    def __len__(self) -> int:
        return len(self.spans)

    def overlapping(self, start: int, end: int) -> list[SpanValue]:
        """Spans that share at least one character with ``[start, end)``."""
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_left(self._starts, end)
        return [s for s in self.spans[lo:hi] if s.end > start]

    def at(self, index: int) -> list[SpanValue]:
        """Spans covering the character at ``index``, innermost (shortest) first."""
        hits = self.overlapping(index, index + 1)
        return sorted(hits, key=lambda s: (s.end - s.start, s.start, s.id))

    def next_after(self, index: int) -> SpanValue | None:
        """The first span starting after ``index`` (for Tab through spans)."""
        k = bisect_right(self._starts, index)
        return self.spans[k] if k < len(self.spans) else None

    def previous_before(self, index: int) -> SpanValue | None:
        k = bisect_left(self._starts, index) - 1
        return self.spans[k] if k >= 0 else None
