"""Rebuild resources/sample/ from NewsFANE Gold (tests/data/newsfane).

Usage: python scripts/make_sample.py [NEWSFANE_DIR]
Documents are runs of consecutive sentences, one paragraph per three sentences.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from annotator.io.formats.newsfane import detokenise, read_sentences

DOCS, SENTENCES, PER_PARAGRAPH = 40, 12, 3
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "tests/data/newsfane")
    sentences = list(read_sentences(src / "NewsFANE_Gold_2014_170K.txt"))
    out = ROOT / "resources/sample"
    with (out / "newsfane_sample.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for d in range(DOCS):
            chunk = sentences[d * SENTENCES : (d + 1) * SENTENCES]
            paras = [
                " ".join(detokenise(s.tokens)[0] for s in chunk[i : i + PER_PARAGRAPH])
                for i in range(0, len(chunk), PER_PARAGRAPH)
            ]
            meta = {
                "source": "NewsFANE Gold 2014 (Alotaibi & Lee)",
                "licence": "CC BY-SA 3.0",
                "lines": f"{chunk[0].line}-{chunk[-1].line + len(chunk[-1].tokens) - 1}",
            }
            record = {"id": f"newsfane-{d + 1:03d}", "text": "\n".join(paras), "meta": meta}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    for name in ("License.txt", "Readme.txt"):
        shutil.copy(src / name, out / f"NewsFANE-{name}")


if __name__ == "__main__":
    main()
