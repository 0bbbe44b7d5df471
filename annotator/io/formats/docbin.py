"""spaCy: a ``.spacy`` DocBin, one ``Doc`` per document and annotator.

Docs are made with ``spacy.blank("ar")``'s tokenizer (no model to download), or with the
document's own tokens when it has them (``meta["tokens"]``). Every span is in
``doc.spans["sc"]`` (the key spaCy's span categorizer reads); those that do not overlap
are also ``doc.ents`` (which of overlapping spans: the ``overlap`` policy, as for BIO).
``doc.user_data`` holds ``id``, ``annotator``, ``sha256``, ``status``, ``meta`` and
``relations`` (``[from, to, type]``, by index in ``doc.spans["sc"]``).

spaCy spans are whole tokens. A span edge inside a token splits that token, and an edge
in white space makes that white space a token of its own; each is reported. So
``doc.char_span(start, end)`` of every span gives exactly the span's text, and
``doc.text`` is the document's text. spaCy builds a DocBin in memory before writing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annotator.io.formats import Candidate, FormatError, ReadOptions, Record, WriteOptions
from annotator.io.formats.bio import FlatSpan, choose_flat, describe, stored_tokens
from annotator.io.formats.native import candidates

SPANS_KEY = "sc"


def blank_arabic() -> Any:
    import spacy  # optional: only the spaCy formats need it

    return spacy.blank("ar")


def make_doc(nlp: Any, record: Record, options: WriteOptions) -> Any:
    """The record's text as a Doc whose tokens start and end at every span edge."""
    from spacy.tokens import Doc

    text = record["text"]
    base = stored_tokens(text, record.get("meta"))
    if base is None:
        base = [(t.idx, t.idx + len(t)) for t in nlp.make_doc(text)]
    edges = {e for tok in base for e in tok}
    span_starts = {s["start"] for s in record["spans"]}
    span_ends = {s["end"] for s in record["spans"]}
    cuts = sorted(edges | span_starts | span_ends | {0, len(text)})
    who = f"{record['id']} ({record['annotator']})"
    for edge in sorted((span_starts | span_ends) - edges):
        around = next((t for t in base if t[0] < edge < t[1]), None)
        options.warnings.append(
            f"{who}: token {text[around[0]:around[1]]!r} split at {edge} to fit a span"
            if around else f"{who}: white space at {edge} made a token of its own for a span")
    starts = {s for s, _ in base}
    inside = {p for s, e in base for p in range(s + 1, e)}
    words: list[str] = []
    spaces: list[bool] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        in_gap = a not in starts and a not in inside
        # A space after a word is that word's trailing white space, as spaCy has it,
        # unless a span starts or ends with it; then it must be a token.
        if (in_gap and piece.startswith(" ") and words and not spaces[-1]
                and a not in span_starts and a + 1 not in span_ends):
            spaces[-1] = True
            piece = piece[1:]
        if piece:
            words.append(piece)
            spaces.append(False)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    assert doc.text == text
    return doc


class DocBinWriter:
    def __init__(self, path: Path, options: WriteOptions) -> None:
        from spacy.tokens import DocBin

        self.path = path
        self.options = options
        self.nlp = blank_arabic()
        self.bin = DocBin(store_user_data=True)

    def doc(self, record: Record) -> Any:
        doc = make_doc(self.nlp, record, self.options)
        group = []
        for s in record["spans"]:
            span = doc.char_span(s["start"], s["end"], label=s["label"])
            assert span is not None and span.text == s["text"]
            group.append(span)
        doc.spans[SPANS_KEY] = group
        flat = [FlatSpan(s["start"], s["end"], s["label"], i)
                for i, s in enumerate(record["spans"])]
        o = self.options
        kept, dropped = choose_flat(flat, o.overlap, o.priority or o.labels)
        doc.ents = [group[f.index] for f in kept]
        self.options.warnings.extend(
            f"{describe(record, f)}: not in doc.ents (overlaps one kept); in doc.spans"
            for f in dropped)
        doc.user_data.update({
            "id": record["id"], "annotator": record["annotator"], "sha256": record["sha256"],
            "status": record["status"], "meta": record["meta"],
            "relations": [[r["from"], r["to"], r["type"]] for r in record["relations"]],
        })
        return doc

    def write(self, record: Record) -> None:
        self.bin.add(self.doc(record))

    def close(self) -> None:
        self.bin.to_disk(self.path)


def _record(doc: Any) -> dict[str, Any]:
    data = doc.user_data
    spans: list[dict[str, Any]] = []
    seen: set[tuple[int, int, str]] = set()
    groups = [doc.spans[SPANS_KEY]] if SPANS_KEY in doc.spans else []
    groups += [doc.spans[k] for k in doc.spans if k != SPANS_KEY]
    for span in [s for g in groups for s in g] + list(doc.ents):
        key = (span.start_char, span.end_char, span.label_)
        if key not in seen:
            seen.add(key)
            spans.append({"start": key[0], "end": key[1], "label": key[2], "text": span.text})
    relations = data.get("relations") or []
    if not isinstance(relations, list | tuple) or not all(
            isinstance(r, list | tuple) and len(r) == 3 for r in relations):
        raise FormatError('user_data "relations" must hold [from, to, type] triples')
    meta = data.get("meta")
    return {"id": data.get("id"), "text": doc.text, "annotator": data.get("annotator"),
            "status": data.get("status"), "spans": spans,
            "meta": meta if isinstance(meta, dict) else {},
            "relations": [{"from": a, "to": b, "type": t} for a, b, t in relations]}


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """Docs of a DocBin (their number stands for the line in messages): spans from
    ``doc.spans`` (every key) and ``doc.ents``, relations from ``user_data``."""
    from spacy.tokens import DocBin

    nlp = blank_arabic()
    try:
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    except Exception as exc:  # spaCy raises a variety of errors for a bad file
        raise FormatError(f"not a spaCy DocBin ({exc})") from None
    return candidates(((k, _record(d)) for k, d in enumerate(docs, start=1)), path,
                      options.annotator)
