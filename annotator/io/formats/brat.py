"""brat standoff: for each document, ``NAME.txt`` (the text, exactly) and ``NAME.ann``.

Written as a folder: ``OUT/ANNOTATOR/NAME.txt`` and ``.ann`` (documents nobody annotated
under ``OUT/_nobody/``), and ``OUT/annotation.conf`` listing the labels and relation
types, so that brat opens the folder as it is. ``.ann`` lines::

    T1<tab>PERSON 51 59<tab>جون كيري
    R1<tab>SPEAKER Arg1:T2 Arg2:T1<tab>

Offsets are code points (brat's server is Python). A span that crosses a line break is
written as fragments split at the break (``0 5;6 11``), as brat requires, and its text
as the fragments joined by a space; reading joins such fragments back into one span.
Any other discontinuous span is left out, with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.io.formats import (
    Candidate,
    FormatError,
    ReadOptions,
    Record,
    WriteOptions,
    read_utf8,
)
from annotator.io.formats.native import candidates

NOBODY = "_nobody"
_UNSAFE = re.compile(r'[\\:*?"<>|\x00-\x1f]')


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for piece in text[start:end].split("\n"):
        if piece:
            out.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return out


def _safe(name: str) -> str:
    parts = [_UNSAFE.sub("_", p) for p in name.split("/")]
    return "/".join(p if p not in ("", ".", "..") else "_" for p in parts)


class BratWriter:
    def __init__(self, path: Path, options: WriteOptions) -> None:
        self.root = path
        self.options = options
        self.used: set[Path] = set()
        path.mkdir(parents=True)
        self.relation_types: set[str] = set()

    def write(self, record: Record) -> None:
        folder = self.root / _safe(record["annotator"] or NOBODY)
        base = folder / _safe(str(record["id"]))
        k = 1
        while base in self.used:
            k += 1
            base = folder / f"{_safe(str(record['id']))}~{k}"
            self.options.warnings.append(f"{record['id']}: name taken, written as {base.name}")
        self.used.add(base)
        base.parent.mkdir(parents=True, exist_ok=True)
        text = record["text"]
        base.with_name(base.name + ".txt").write_text(text, encoding="utf-8", newline="")
        lines = []
        for i, s in enumerate(record["spans"], start=1):
            frags = _fragments(text, s["start"], s["end"])
            if not frags:
                self.options.warnings.append(
                    f"{record['id']} ({record['annotator']}): {s['label']} [{s['start']}, "
                    f"{s['end']}) holds only line breaks, which brat cannot show; left out")
                continue
            where = ";".join(f"{a} {b}" for a, b in frags)
            shown = " ".join(text[a:b] for a, b in frags)
            lines.append(f"T{i}\t{s['label']} {where}\t{shown}\n")
        for i, r in enumerate(record["relations"], start=1):
            self.relation_types.add(r["type"])
            lines.append(f"R{i}\t{r['type']} Arg1:T{r['from'] + 1} Arg2:T{r['to'] + 1}\t\n")
        base.with_name(base.name + ".ann").write_text("".join(lines), encoding="utf-8",
                                                      newline="\n")

    def close(self) -> None:
        entities = "\n".join(self.options.labels)
        relations = "\n".join(f"{t}\tArg1:<ENTITY>, Arg2:<ENTITY>"
                              for t in sorted(self.relation_types))
        (self.root / "annotation.conf").write_text(
            f"[entities]\n{entities}\n\n[relations]\n{relations}\n\n[events]\n\n[attributes]\n",
            encoding="utf-8", newline="\n")


def _span(text: str, fields: str, shown: str, line: int) -> tuple[str, int, int] | str:
    """(label, start, end), or why the span cannot be held."""
    label, _, where = fields.partition(" ")
    try:
        frags = [tuple(int(x) for x in f.split()) for f in where.split(";")]
    except ValueError:
        raise FormatError(f"bad offsets {where!r}", line) from None
    if not all(len(f) == 2 for f in frags):
        raise FormatError(f"bad offsets {where!r}", line)
    for a, b in frags:
        if not 0 <= a < b <= len(text):
            raise FormatError(f"span [{a}, {b}) is out of range for a text of {len(text)} "
                              "characters", line)
    expected = " ".join(text[a:b] for a, b in frags)
    if shown != expected:
        raise FormatError(f"span text {shown!r} does not match the document's {expected!r}",
                          line)
    for (_, b), (a, _) in zip(frags, frags[1:], strict=False):
        if text[b:a].strip("\n") or a <= b:
            return "a discontinuous span cannot be held (spans are one range); left out"
    return label, frags[0][0], frags[-1][1]


def read(path: Path, options: ReadOptions) -> list[Candidate | tuple[int, str]]:
    """A ``.ann`` file and the ``.txt`` beside it: one document."""
    txt = path.with_suffix(".txt")
    try:
        text = read_utf8(txt, strip_bom=False)  # exactly: offsets point into it
    except FileNotFoundError:
        raise FormatError(f"no {txt.name} beside it") from None
    except FormatError as exc:
        raise FormatError(f"{txt.name}, line {exc.line}: {exc}") from None
    ann = read_utf8(path)
    spans: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    rels: list[tuple[str, str, str, int]] = []
    skipped: list[tuple[int, str]] = []
    for n, raw in enumerate(ann.split("\n"), start=1):
        if not raw.strip():
            continue
        key, _, rest = raw.partition("\t")
        fields, _, shown = rest.partition("\t")
        if key.startswith("T"):
            got = _span(text, fields, shown.rstrip("\r"), n)
            if isinstance(got, str):
                skipped.append((n, f"{key}: {got}"))
                continue
            ids[key] = len(spans)
            spans.append({"label": got[0], "start": got[1], "end": got[2]})
        elif key.startswith("R"):
            kind, *args = fields.split()
            roles = dict(a.split(":", 1) for a in args if ":" in a)
            if "Arg1" not in roles or "Arg2" not in roles:
                raise FormatError(f"relation {key} needs Arg1: and Arg2:", n)
            rels.append((roles["Arg1"], roles["Arg2"], kind, n))
        else:
            skipped.append((n, f"{key}: only text-bound spans (T) and relations (R) are read"))
    relations = []
    for a, b, kind, n in rels:
        if a not in ids or b not in ids:
            skipped.append((n, f"relation {kind} {a} -> {b}: a span it joins was not read"))
            continue
        relations.append({"from": ids[a], "to": ids[b], "type": kind})
    record = {"id": path.stem, "text": text, "spans": spans, "relations": relations}
    return [*skipped, *candidates([(1, record)], path, options.annotator)]
