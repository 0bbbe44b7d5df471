"""NewsFANE Gold (Alotaibi & Lee, 2014): one token and tag a line, CoNLL-like.

The file is UTF-8 with a BOM and CRLF line ends; a sentence ends at a line holding only a
tab. Word tokens carry a leading LEFT-TO-RIGHT MARK (U+200E), an artefact of the source
that is stripped. Text is rebuilt from the tokens with a space between them, none before
closing punctuation or after opening brackets, and each token's offsets are kept so that
gold entities can become spans.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.io.formats import FormatError, read_utf8

LRM = "\u200e"
CORPUS = "NewsFANE Gold 2014"

# NewsFANE's fine entity classes (ACE-style subtypes) -> labels of the default schema.
# Vehicles, weapons, products and works (Air, Land, Water, Projectile, Shooting, Book,
# Movie, Software, Hardware, Food, Drug, Plant) have no label there and are left out.
_CLASSES = {
    "PERSON": "Politician Athlete Artist Other_PER Religious_PER Scientist Businessperson "
    "Lawyer Engineer Police Group",
    "ORGANIZATION": "Non-Governmental Government Sports Media Commercial Educational "
    "Medical-Science Entertainment Religious_ORG",
    "GPE": "Nation Population-Center State-or-Province GPE-Cluster Continent County-or-District",
    "LOCATION": "Water-Body Land-Region-Natural Celestial Building-Grounds Airport Path "
    "Subarea-Facility",
}
SCHEMA_LABEL = {fine: label for label, names in _CLASSES.items() for fine in names.split()}
NO_SPACE_BEFORE = set(".,،؛;:?؟!)]}»%")
NO_SPACE_AFTER = set("([{«")


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    line: int  # first line of the sentence in the file


def read_sentences(path: str | Path) -> Iterator[Sentence]:
    """Sentences of a NewsFANE file; raises FormatError naming a malformed line."""
    text = read_utf8(Path(path))
    tokens: list[str] = []
    tags: list[str] = []
    first = 1
    for n, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if raw.strip() == "":
            if tokens:
                yield Sentence(tuple(tokens), tuple(tags), first)
            tokens, tags, first = [], [], n + 1
            continue
        parts = raw.split("\t")
        if len(parts) != 2 or not parts[0].strip(LRM + " "):
            raise FormatError(f"expected TOKEN<tab>TAG, got {raw!r}", n)
        tokens.append(parts[0].strip(LRM + " "))
        tags.append(parts[1].strip())
    if tokens:
        yield Sentence(tuple(tokens), tuple(tags), first)


def detokenise(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into readable text; return it with each token's (start, end)."""
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    quote_open = False
    prev = ""
    for i, tok in enumerate(tokens):
        opening_quote = tok == '"' and not quote_open
        closing_quote = tok == '"' and quote_open
        space = i > 0 and not (
            tok in NO_SPACE_BEFORE
            or closing_quote
            or prev in NO_SPACE_AFTER
            or prev == "OPENQ"
        )
        if space:
            out.append(" ")
            pos += 1
        out.append(tok)
        offsets.append((pos, pos + len(tok)))
        pos += len(tok)
        if tok == '"':
            quote_open = not quote_open
        prev = "OPENQ" if opening_quote else tok
    return "".join(out), offsets
