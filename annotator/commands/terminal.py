"""Arabic on a terminal: the one place where reshaping and visual reordering belong.

Most terminals neither join Arabic letters nor reorder right-to-left runs. For them,
each line is wrapped in logical order first, then reshaped (arabic-reshaper) and put in
visual order (python-bidi), then right-aligned. Output going to a file or a pipe stays
in logical order, which is what programs reading it expect.
"""

from __future__ import annotations

import os
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from annotator.store.documents import SpanValue

OPEN, CLOSE = "[", "]"
# Terminals known to apply the bidi algorithm themselves.
BIDI_TERMINALS = {"mlterm"}


def wants_visual(stream: TextIO, choice: str = "auto") -> bool:
    """Decide visual (reshaped, reordered) output: ``visual``, ``logical`` or ``auto``.

    ``auto`` reads ``ANNOTATOR_BIDI``, then chooses visual for a terminal that does not
    do bidi itself, logical for files and pipes.
    """
    if choice == "auto":
        choice = os.environ.get("ANNOTATOR_BIDI", "auto")
    if choice in ("visual", "logical"):
        return choice == "visual"
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return False
    term = os.environ.get("TERM_PROGRAM", "") or os.environ.get("TERM", "")
    return not any(name in term.lower() for name in BIDI_TERMINALS)


def to_visual(line: str) -> str:
    """One line of logical text, shaped and in display order for a dumb terminal."""
    import arabic_reshaper
    from bidi.algorithm import get_display  # the pure-Python one mirrors brackets

    return get_display(arabic_reshaper.reshape(line), base_dir="R")


def display_width(text: str) -> int:
    """Terminal columns: combining marks (harakat) take none, wide characters two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def mark_spans(text: str, spans: Sequence[SpanValue]) -> str:
    """The text with ``[`` ... ``]n`` around each span, n its number in the span table."""
    inserts: list[tuple[int, int, str]] = []
    for n, span in enumerate(spans, start=1):
        inserts.append((span.start, 1, OPEN))
        inserts.append((span.end, 0, f"{CLOSE}{n}"))
    out, pos = [], 0
    # closers before openers at the same index; inner spans close first
    for index, _order, mark in sorted(inserts, key=lambda t: (t[0], t[1])):
        out.append(text[pos:index])
        out.append(mark)
        pos = index
    out.append(text[pos:])
    return "".join(out)


def render(
    text: str, spans: Sequence[SpanValue], *, width: int = 80, visual: bool = False
) -> list[str]:
    """Lines to print for a document with its spans marked, and a table of the spans."""
    lines: list[str] = []
    for para in mark_spans(text, spans).split("\n"):
        wrapped = textwrap.wrap(para, width=width, break_long_words=False) or [""]
        for line in wrapped:
            if visual:
                shown = to_visual(line)
                pad = " " * max(0, width - display_width(shown)) if shown.strip() else ""
                lines.append(pad + shown)
            else:
                lines.append(line)
    if spans:
        lines.append("")
        for n, span in enumerate(spans, start=1):
            piece = text[span.start : span.end].replace("\n", " ")
            if visual:
                piece = to_visual(piece)
            lines.append(
                f"{n:>4}  {span.label:<13} {span.start:>7}-{span.end:<7} {span.annotator:<12} "
                f"{piece}"
            )
    return lines


def terminal_width(default: int = 80) -> int:
    try:
        return max(20, os.get_terminal_size(sys.stdout.fileno()).columns - 1)
    except (OSError, ValueError):
        return default
