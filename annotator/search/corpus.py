"""Finding documents by what their text says, ignoring Arabic harakat and tatweel.

The texts stay in the database: a search is one query over the document table that
returns ids, so memory does not grow with the corpus (100,000 articles of 5,000
characters are about 1 GB of text, which no list may hold).

Matching ignores case and the marks Arabic writers add or leave out at will: the harakat
(U+064B..U+0652), the superscript alef (U+0670) and tatweel (U+0640), on both sides. So
"بغداد" finds "بَغْدَاد" and "بغـداد", and "بَغداد" finds "بغداد". Only the comparison
folds; stored text and offsets are untouched (ARABIC.md).

How each database does it, with times measured over 100,000 articles (warm cache; see
benchmarks/README.md):

- PostgreSQL: ``translate(text, marks, '') ILIKE '%query%'``.
- SQLite has no ``translate``; ten nested ``replace()`` calls took 10 s against 2.1 s for
  a plain ``LIKE``. Instead, a scalar function registered on the connection runs a
  compiled regular expression that allows marks between the query's letters: 1.5 s for
  an Arabic word. Rows still stream through SQLite's own scan; only ids come back.
- An all-ASCII query (a Latin name, a number) cannot meet Arabic marks inside it, and
  SQLite's ``LIKE`` is ASCII case-insensitive and fast on Arabic text (0.2 s), so it
  takes the plain ``contains`` path on SQLite.

A substring search cannot use an ordinary index; an FTS5 trigram table (SQLite) or a
``pg_trgm`` index (PostgreSQL) on the folded text is the next step if seconds are too slow.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from annotator.db.engine import Database
from annotator.db.models import Document
from annotator.text.fold import MARKS, strip_marks

_SQLITE_FUNCTION = "annotator_text_match"




def search_documents(
    db: Database, project_id: int, query: str, limit: int | None = None
) -> set[int]:
    """Ids of the project's documents whose text contains ``query``.

    Case, harakat and tatweel are ignored (see the module docstring); blanks around the
    query are not part of it. A query that is empty once stripped matches nothing.
    ``limit`` keeps the first ``limit`` matches in import order.
    """
    needle = strip_marks(query).strip()
    if not needle:
        return set()
    with db.reading() as s:
        stmt = (
            select(Document.id)
            .where(Document.project_id == project_id, _contains(s, needle))
            .order_by(Document.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return set(s.scalars(stmt))


def _contains(s: Session, needle: str) -> ColumnElement[bool]:
    """The SQL condition "the document's text contains ``needle``" for this database."""
    if s.get_bind().dialect.name != "sqlite":
        folded_text = func.translate(Document.text, MARKS, "")
        return folded_text.icontains(needle, autoescape=True)
    if needle.isascii():
        return Document.text.contains(needle, autoescape=True)
    # Registering is cheap and idempotent; pooled connections may be new to us.
    sqlite_conn = s.connection().connection.driver_connection
    sqlite_conn.create_function(_SQLITE_FUNCTION, 2, _text_matches, deterministic=True)
    return getattr(func, _SQLITE_FUNCTION)(Document.text, needle) == 1


def _text_matches(text: str, needle: str) -> int:
    return 1 if _pattern(needle).search(text) is not None else 0


@lru_cache(maxsize=32)
def _pattern(needle: str) -> re.Pattern[str]:
    """``needle``'s characters with any run of marks allowed between them."""
    between = f"[{MARKS}]*"
    return re.compile(between.join(map(re.escape, needle)), re.IGNORECASE)
