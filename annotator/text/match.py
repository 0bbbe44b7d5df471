"""Matching a query in Arabic text: whole words behind clitics, phrases, OR, substrings.

Both the query and the text are folded (:mod:`annotator.text.fold`); matches are found
in the folded text and mapped back, so every match is an exact ``[start, end)`` of the
original text, with its harakat and tatweel.

- A **word** matches a whole word, alone or behind the proclitics Arabic writes joined
  to it: و or ف, then one of ب ل ك س, then the article ال, or لل for ل + ال. The match
  covers the word itself: بغداد in وبغداد, الرئيس in والرئيس and بالرئيس. A word that
  already starts with ال (الرئيس) also matches the contracted للرئيس, covering لرئيس
  (the article's lam and the stem; the alef is not written). Nothing may follow the word:
  حلب does not match inside محلبي or حلبية.
- A **phrase** is several words in a row, with white space between them in the text;
  each word may carry its own clitics; the match runs from the first word to the last.
- ``A OR B`` (or ``A | B``) matches either.
- With ``substring=True`` a query matches anywhere, inside words too (folded all the same).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from annotator.text.fold import Folded, fold, fold_with_map

CONJUNCTIONS = "وف"
PREPOSITIONS = "بلكس"
ARTICLE = "ال"
_OR = re.compile(r"\s+OR\s+|\s*\|\s*")
# A word character of the folded text: a letter or a digit of any script (marks are gone).
_WORD_CHAR = r"[^\W_]"
_SPACE = r"\s+"


def _word_pattern(word: str, name: str) -> str:
    """The regex of one folded word with its optional proclitics. The word itself (past
    its clitics) is group ``w<name>``, or ``c<name>`` in the contracted لل form."""
    clitics = f"[{CONJUNCTIONS}]?[{PREPOSITIONS}]?"
    if word.startswith(ARTICLE) and len(word) > len(ARTICLE):
        contracted = re.escape("ل" + word[len(ARTICLE):])  # ل + ال written لل
        return (f"(?:{clitics}(?P<w{name}>{re.escape(word)})"
                f"|[{CONJUNCTIONS}]?ل(?P<c{name}>{contracted}))")
    # the article, or ل + ال written لل, or neither
    article = f"(?:لل|[{PREPOSITIONS}]?(?:{ARTICLE})?)"
    return f"[{CONJUNCTIONS}]?{article}(?P<w{name}>{re.escape(word)})"


def _alternative(words: list[str], k: int, substring: bool) -> str:
    """One side of an OR; the groups of its first word are named ``*<k>_0``."""
    if substring:
        return f"(?P<w{k}_0>{_SPACE.join(re.escape(w) for w in words)})"
    body = _SPACE.join(_word_pattern(word, f"{k}_{i}") for i, word in enumerate(words))
    return rf"(?<!{_WORD_CHAR}){body}(?!{_WORD_CHAR})"


@dataclass(frozen=True)
class Query:
    """A compiled query (:func:`compile_query`)."""

    source: str
    pattern: re.Pattern[str] | None  # None: the query is empty once folded
    seats: bool

    def find(self, text: str | Folded) -> Iterator[tuple[int, int]]:
        """Each match in ``text`` as original ``(start, end)``, in order, not overlapping."""
        if self.pattern is None:
            return
        folded = text if isinstance(text, Folded) else fold_with_map(text, seats=self.seats)
        for m in self.pattern.finditer(folded.text):
            yield folded.to_original(_first_word_start(m), m.end())

    def matches(self, text: str) -> bool:
        """True when ``text`` holds at least one match."""
        if self.pattern is None:
            return False
        return self.pattern.search(fold(text, seats=self.seats)) is not None


def _first_word_start(m: re.Match[str]) -> int:
    """Where the first word itself starts, past its clitics."""
    for name, value in m.groupdict().items():
        if value is not None and name.endswith("_0"):
            return m.start(name)
    return m.start()


@lru_cache(maxsize=64)
def compile_query(query: str, *, substring: bool = False, seats: bool = False) -> Query:
    """Compile ``query`` (see the module docstring) for :meth:`Query.find`."""
    alternatives = []
    for part in _OR.split(query.strip()):
        words = fold(part, seats=seats).split()
        if words:
            alternatives.append(_alternative(words, len(alternatives), substring))
    if not alternatives:
        return Query(query, None, seats)
    return Query(query, re.compile("|".join(f"(?:{a})" for a in alternatives)), seats)


def find_all(text: str, query: str, *, substring: bool = False,
             seats: bool = False) -> list[tuple[int, int]]:
    """Every match of ``query`` in ``text`` as original ``(start, end)`` offsets."""
    return list(compile_query(query, substring=substring, seats=seats).find(text))
