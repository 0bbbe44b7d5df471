"""Generated benchmark corpora: distinct Arabic news articles built from NewsFANE Gold.

Every article starts with a header line that names it (``خبر رقم 17``), so no two texts are the
same, followed by paragraphs of 2 to 5 sentences drawn at random from the NewsFANE
sentences (``annotator.io.formats.newsfane``), sentences joined by a space, paragraphs by
``"\\n"``. Sentences are added until the article holds at least ``chars`` characters (the
last paragraph may stop short), so articles run a little over the target: a sentence
averages about 170 characters, and 5,000 gives 5,000 to 6,950, mean 5,129.
The draw uses ``random.Random(seed)``: the same arguments give the same corpus.

Each article also carries the gold entity spans of its sentences, as offsets into its
text with a label of the default schema (``SCHEMA_LABEL``), for benchmarks that import
annotated documents (``write_jsonl``).

    python benchmarks/corpus.py OUT_DIR [--docs 20000] [--chars 5000] [--seed 0] [--jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from annotator.io.formats.bio import decode
from annotator.io.formats.newsfane import SCHEMA_LABEL, detokenise, read_sentences

NEWSFANE = (
    Path(__file__).resolve().parents[1] / "tests/data/newsfane/NewsFANE_Gold_2014_170K.txt"
)
HEADER = "خبر رقم {}"  # "news item number N": the line that keeps every text distinct
PARAGRAPH_SENTENCES = (2, 5)

@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Article:
    name: str  # e.g. "article-000017"; zero-padded, so file order is generation order
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class _Sentence:
    text: str
    spans: tuple[Span, ...]  # offsets into this sentence


def _entity_spans(tags: tuple[str, ...], offsets: list[tuple[int, int]]) -> tuple[Span, ...]:
    """BIO tags -> spans; an I- tag that does not continue its type starts a new span."""
    return tuple(
        Span(offsets[i][0], offsets[j - 1][1], SCHEMA_LABEL[kind])
        for i, j, kind in decode(tags)
        if kind in SCHEMA_LABEL
    )


@lru_cache(maxsize=4)
def sentences(source: str | Path = NEWSFANE) -> tuple[_Sentence, ...]:
    """The NewsFANE sentences as text with their entity spans (read once per source)."""
    out = []
    for sentence in read_sentences(source):
        text, offsets = detokenise(sentence.tokens)
        out.append(_Sentence(text, _entity_spans(sentence.tags, offsets)))
    return tuple(out)


def iter_articles(
    n: int, chars: int = 5000, *, seed: int = 0, source: str | Path = NEWSFANE
) -> Iterator[Article]:
    """``n`` distinct articles of at least ``chars`` characters each, deterministically."""
    pool = sentences(source)
    rng = random.Random(seed)
    width = max(6, len(str(n)))
    for i in range(1, n + 1):
        parts = [HEADER.format(i)]
        pos = len(parts[0])
        spans: list[Span] = []
        while pos < chars:
            pos += 1  # the "\n" before the paragraph
            parts.append("\n")
            for k in range(rng.randint(*PARAGRAPH_SENTENCES)):
                if k and pos >= chars:
                    break
                sentence = rng.choice(pool)
                if k:
                    parts.append(" ")
                    pos += 1
                parts.append(sentence.text)
                spans.extend(Span(pos + s.start, pos + s.end, s.label) for s in sentence.spans)
                pos += len(sentence.text)
        yield Article(f"article-{i:0{width}d}", "".join(parts), tuple(spans))


def articles(
    n: int, chars: int = 5000, *, seed: int = 0, source: str | Path = NEWSFANE
) -> list[Article]:
    """The same articles as :func:`iter_articles`, in a list."""
    return list(iter_articles(n, chars, seed=seed, source=source))


def texts(n: int, chars: int = 5000, *, seed: int = 0, source: str | Path = NEWSFANE) -> list[str]:
    """Just the texts of :func:`iter_articles`, in memory."""
    return [a.text for a in iter_articles(n, chars, seed=seed, source=source)]


def write_txt_folder(folder: str | Path, items: Iterable[Article]) -> int:
    """Write each article to ``folder/<name>.txt`` (UTF-8, LF); return the bytes written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for article in items:
        data = article.text.encode("utf-8")
        (folder / f"{article.name}.txt").write_bytes(data)
        total += len(data)
    return total


def write_jsonl(path: str | Path, items: Iterable[Article], annotator: str = "gold") -> int:
    """Write the articles with their spans in the native JSONL format; return the count."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as out:
        for article in items:
            record = {
                "id": article.name,
                "text": article.text,
                "annotator": annotator,
                "spans": [
                    {"start": s.start, "end": s.end, "label": s.label} for s in article.spans
                ],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder of .txt files (or a .jsonl file)")
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=NEWSFANE, help="a NewsFANE file")
    parser.add_argument("--jsonl", action="store_true", help="one JSONL file, with spans")
    args = parser.parse_args()
    items = iter_articles(args.docs, args.chars, seed=args.seed, source=args.source)
    if args.jsonl:
        print(f"{write_jsonl(args.out, items)} articles -> {args.out}")
    else:
        print(f"{write_txt_folder(args.out, items):,} bytes -> {args.out}")


if __name__ == "__main__":
    main()
