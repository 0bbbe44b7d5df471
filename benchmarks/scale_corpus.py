"""The scale corpus: 100,000 articles of about 5,000 characters, 2,000,000 spans over two
annotators, written as native JSONL that ``annotator import`` reads.

    python benchmarks/scale_corpus.py OUT [--articles 100000] [--spans 2000000]
                                          [--chars 5000] [--seed 0] [--shard 1000]

The texts are ``corpus.iter_articles`` (NewsFANE sentences under a ``خبر رقم N`` header;
the same texts for the same arguments). Each article is two lines, one for ``ann1`` and
one for ``ann2`` (the native format holds one annotator a line; the second line's text is
a duplicate that the importer recognises, and only its spans and status are added).

Spans: ``--spans`` in all, half for each annotator, spread evenly over the articles (20 an
article at the defaults), every edge on a token edge of ``annotator.text.tokens.TokenIndex``:

- ``ann1`` takes NewsFANE gold entities first (about 70%), a QUOTE of 4 to 12 words inside
  a sentence and a CLAIM over a whole sentence (about 15% each, so they nest over
  entities), and fills any shortfall with one-word DATE or QUANTITY spans.
- ``ann2`` copies each of ``ann1``'s spans (70%), moves one edge by a word (10%), gives it
  another label of the same kind (8%), or puts a span of its own elsewhere instead (12%).
  Both have the same number of spans in each article, so the totals are exact.

Statuses: ``ann1`` marked 90% of the articles done, ``ann2`` 80%; the rest are in
progress. The draw is ``random.Random(seed)`` (texts) and ``random.Random(seed + 1)``
(spans): the same arguments give the same bytes.

With ``--shard N`` (the default, 1,000 articles a file) OUT is a folder of
``part-00000.jsonl`` ... files; ``--shard 0`` writes OUT as one file. The importer checks a
whole JSONL file before storing any of it, so it holds a file in memory; shards keep that
to about 20 MB. The generator streams: it holds one article at a time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TextIO

import corpus

from annotator.text.tokens import TokenIndex

ANNOTATORS = ("ann1", "ann2")
ENTITY_LABELS = ("PERSON", "ORGANIZATION", "LOCATION", "GPE")
WORD_LABELS = ("DATE", "QUANTITY")
DONE_SHARE = {"ann1": 0.9, "ann2": 0.8}

SpanT = tuple[int, int, str]


@dataclass(frozen=True)
class _Sentence:
    """A NewsFANE sentence: its text, its tokens (TokenIndex edges) and the gold entities
    whose edges are token edges, as token index ranges ``(first, last + 1, label)``."""

    text: str
    tokens: tuple[tuple[int, int], ...]
    entities: tuple[tuple[int, int, str], ...]


@lru_cache(maxsize=2)
def _pool(source: str) -> tuple[_Sentence, ...]:
    pool = []
    for sentence in corpus.sentences(source):
        tokens = tuple(TokenIndex(sentence.text).tokens)
        first = {s: i for i, (s, _) in enumerate(tokens)}
        last = {e: i for i, (_, e) in enumerate(tokens)}
        entities = tuple(
            (first[sp.start], last[sp.end] + 1, sp.label)
            for sp in sentence.spans
            if sp.start in first and sp.end in last
        )
        pool.append(_Sentence(sentence.text, tokens, entities))
    return tuple(pool)


@dataclass
class Article:
    name: str
    text: str
    tokens: list[tuple[int, int]]  # the article's TokenIndex tokens
    sentences: list[tuple[int, int]]  # token index range of each sentence
    entities: list[SpanT]  # gold entities as token index ranges


def iter_articles(n: int, chars: int, seed: int, source: str) -> Iterator[Article]:
    """The texts of ``corpus.iter_articles(n, chars, seed=seed)`` (same draw, same order),
    with their tokens, sentences and entities, built from the sentences' own."""
    pool = _pool(source)  # in corpus.sentences order, so the draws pick the same sentences
    rng = random.Random(seed)
    width = max(6, len(str(n)))
    for i in range(1, n + 1):
        header = corpus.HEADER.format(i)
        parts = [header]
        tokens = list(TokenIndex(header).tokens)
        sentences: list[tuple[int, int]] = []
        entities: list[SpanT] = []
        pos = len(header)
        while pos < chars:
            pos += 1
            parts.append("\n")
            for k in range(rng.randint(*corpus.PARAGRAPH_SENTENCES)):
                if k and pos >= chars:
                    break
                sentence = rng.choice(pool)
                if k:
                    parts.append(" ")
                    pos += 1
                parts.append(sentence.text)
                base = len(tokens)
                tokens.extend((pos + s, pos + e) for s, e in sentence.tokens)
                sentences.append((base, len(tokens)))
                entities.extend((base + a, base + b, lb) for a, b, lb in sentence.entities)
                pos += len(sentence.text)
        yield Article(f"article-{i:0{width}d}", "".join(parts), tokens, sentences, entities)


def _counts(n: int, total: int) -> Iterator[int]:
    """``total`` split over ``n`` items as evenly as integers allow."""
    for i in range(n):
        yield (i + 1) * total // n - i * total // n


def _word_span(rng: random.Random, art: Article) -> SpanT:
    k = rng.randrange(len(art.tokens))
    return (k, k + 1, rng.choice(WORD_LABELS))


def _quote(rng: random.Random, art: Article) -> SpanT | None:
    a, b = rng.choice(art.sentences)
    if b - a < 6:
        return None
    width = rng.randint(4, min(12, b - a - 1))
    start = rng.randint(a, b - width)
    return (start, start + width, "QUOTE")


def _claim(rng: random.Random, art: Article) -> SpanT:
    a, b = rng.choice(art.sentences)
    return (a, b, "CLAIM")


def _own(rng: random.Random, art: Article) -> SpanT | None:
    """One span of the kinds ann1 draws from: an entity, a quote, a claim or a word."""
    r = rng.random()
    if r < 0.7 and art.entities:
        return rng.choice(art.entities)
    if r < 0.85:
        return _quote(rng, art)
    return _claim(rng, art) if r < 0.95 else _word_span(rng, art)


def first_spans(rng: random.Random, art: Article, count: int) -> list[SpanT]:
    """``count`` distinct spans for ann1, as token index ranges."""
    chosen: set[SpanT] = set()
    tries = 0
    while len(chosen) < count:
        tries += 1
        span = _own(rng, art) if tries < 20 * count else _word_span(rng, art)
        if span is not None:
            chosen.add(span)
    return sorted(chosen)


def _other_label(rng: random.Random, label: str) -> str:
    if label in ENTITY_LABELS:
        return rng.choice([x for x in ENTITY_LABELS if x != label])
    if label in WORD_LABELS:
        return rng.choice([x for x in WORD_LABELS if x != label])
    return "CLAIM" if label == "QUOTE" else "QUOTE"


def _moved(rng: random.Random, art: Article, span: SpanT) -> SpanT:
    a, b, label = span
    step = rng.choice((-1, 1))
    if rng.random() < 0.5:
        a = min(max(0, a + step), b - 1)
    else:
        b = max(min(len(art.tokens), b + step), a + 1)
    return (a, b, label)


def second_spans(rng: random.Random, art: Article, first: list[SpanT]) -> list[SpanT]:
    """As many distinct spans for ann2, in partial agreement with ann1's."""
    chosen: set[SpanT] = set()
    for span in first:
        r = rng.random()
        if r < 0.70:
            candidate: SpanT | None = span
        elif r < 0.80:
            candidate = _moved(rng, art, span)
        elif r < 0.88:
            candidate = (span[0], span[1], _other_label(rng, span[2]))
        else:
            candidate = _own(rng, art)
        while candidate is None or candidate in chosen:
            candidate = _own(rng, art) if rng.random() < 0.5 else _word_span(rng, art)
        chosen.add(candidate)
    return sorted(chosen)


def _record(art: Article, who: str, spans: list[SpanT], status: str) -> str:
    tokens = art.tokens
    return json.dumps(
        {
            "id": art.name,
            "text": art.text,
            "annotator": who,
            "status": status,
            "spans": [
                {"start": tokens[a][0], "end": tokens[b - 1][1], "label": label}
                for a, b, label in spans
            ],
        },
        ensure_ascii=False,
    ) + "\n"


@dataclass
class Written:
    articles: int = 0
    spans: int = 0
    bytes: int = 0
    files: int = 0
    seconds: float = 0.0


def write(
    out: Path,
    articles: int = 100_000,
    spans: int = 2_000_000,
    chars: int = 5000,
    seed: int = 0,
    shard: int = 1000,
    source: str | Path = corpus.NEWSFANE,
) -> Written:
    """Write the corpus to ``out`` (a folder of shards, or one file with ``shard=0``)."""
    started = time.perf_counter()
    rng = random.Random(seed + 1)
    done = Written()
    if shard:
        out.mkdir(parents=True, exist_ok=True)
    handle: TextIO | None = None
    per_article = _counts(articles, spans // len(ANNOTATORS))
    try:
        for i, art in enumerate(iter_articles(articles, chars, seed, str(source))):
            if handle is None or (shard and i % shard == 0):
                if handle is not None:
                    handle.close()
                path = out / f"part-{i // shard:05d}.jsonl" if shard else out
                handle = path.open("w", encoding="utf-8", newline="\n")
                done.files += 1
            count = next(per_article)
            one = first_spans(rng, art, count)
            two = second_spans(rng, art, one)
            for who, mine in zip(ANNOTATORS, (one, two), strict=True):
                status = "done" if rng.random() < DONE_SHARE[who] else "in_progress"
                line = _record(art, who, mine, status)
                handle.write(line)
                done.bytes += len(line.encode("utf-8"))
                done.spans += len(mine)
            done.articles += 1
    finally:
        if handle is not None:
            handle.close()
    done.seconds = time.perf_counter() - started
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a folder (with --shard N) or a .jsonl file")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=2_000_000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shard", type=int, default=1000, help="articles a file; 0: one file")
    parser.add_argument("--source", type=Path, default=corpus.NEWSFANE, help="a NewsFANE file")
    args = parser.parse_args()
    done = write(args.out, args.articles, args.spans, args.chars, args.seed, args.shard,
                 args.source)
    print(f"{done.articles:,} articles, {done.spans:,} spans, {done.bytes / 2**20:,.0f} MiB "
          f"in {done.files} file(s) -> {args.out} ({done.seconds:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
