"""Opening and scrolling a 50,000-character article holding 2,000 spans, in the real window.

    python benchmarks/bench_article_view.py [--chars 50000] [--spans 2000] [--repeat 15]
                                            [--seed 0] [--json OUT] [--screenshot PNG]

One SQLite file (``open_database``) holds a generated article (``corpus.py``: NewsFANE
sentences in paragraphs) of ``--chars`` characters and a short second document to switch
from. Annotator ``bench`` has ``--spans`` spans on the long article, all on token edges:
the article's gold entities, one-word entities to make up the count, QUOTE spans of
several words that hold entities, CLAIM spans of whole sentences that hold quotes, and some
quotes that run across a sentence's end, so spans nest three deep and some cross.
Annotator ``nobody`` has no spans: the baseline is the same document, opened by the same
window code, with nothing to paint.

A ``MainWindow`` (offscreen, 1280 x 800, settings in a temporary folder) runs three
methods, ``--repeat`` rounds after one warm-up round (reported as "cold"), alternating the
order of the methods from round to round:

- ``no spans``: annotator ``nobody``;
- ``spans``: annotator ``bench``, the spans painted under the text (``SpanPainter``);
- ``extra selections``: annotator ``nobody`` plus the naive view of ARABIC.md, the same
  spans loaded from the database and set up front as ``QTextEdit.ExtraSelection``s.

Each method is timed twice, with the short document open first:

- ``open``: ``document_list.select_document(article)`` (what a click in the list does:
  read the document, lay out its text, load its spans), then ``viewport().repaint()`` and
  ``processEvents()``: from selecting in the list to painted;
- ``scroll``: from the top to the bottom by the scroll bar's page step, each step
  repainted (``repaint()`` and ``processEvents()``); total and per step.

Reported: best and median milliseconds, and each figure's ratio to the ``no spans``
figure of the same run (the issue's target for ``spans`` is at most 2); peak RSS. A
measurement, not a test: it asserts nothing about time, only that each method shows the
spans it should.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt loads

import corpus  # noqa: E402
from bench_import import _environment, _rss_mib  # noqa: E402

import PySide6  # noqa: E402
from PySide6.QtCore import QSettings, qVersion  # noqa: E402
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication, QTextEdit  # noqa: E402

from annotator.db.engine import Database, open_database  # noqa: E402
from annotator.io.importer import import_paths  # noqa: E402
from annotator.store.documents import document_spans, find_document  # noqa: E402
from annotator.store.projects import DEFAULT_PROJECT, ensure_annotator, ensure_project  # noqa: E402
from annotator.text.tokens import TokenIndex, is_word_char  # noqa: E402
from ui.common.fonts import load_bundled_fonts  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

WHO, NOBODY = "bench", "nobody"
NO_SPANS, SPANS, EXTRA = "no spans", "spans", "extra selections"
METHODS = (NO_SPANS, SPANS, EXTRA)
FILL_LABELS = ("PERSON", "ORGANIZATION", "GPE", "LOCATION", "EVENT", "DATE", "QUANTITY")
WINDOW_SIZE = (1280, 800)
REPO = Path(__file__).resolve().parents[1]


def code_version() -> str | None:
    """The commit measured, "-dirty" when tracked files differ from it (None: no git)."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=REPO, capture_output=True, text=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


# -- the data --------------------------------------------------------------------------


def _sentences(text: str, tokens: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The word tokens of each sentence: a sentence ends at a "." or a paragraph's end."""
    out: list[list[tuple[int, int]]] = [[]]
    for k, (start, end) in enumerate(tokens):
        if is_word_char(text[start]):
            out[-1].append((start, end))
        following = tokens[k + 1][0] if k + 1 < len(tokens) else len(text)
        if text[start:end] == "." or "\n" in text[end:following]:
            out.append([])
    return [s for s in out if len(s) >= 4]


def make_spans(article: corpus.Article, total: int, seed: int) -> list[corpus.Span]:
    """``total`` spans on token edges of the article, some nested and some crossing."""
    rng = random.Random(seed)
    text = article.text
    tokens = TokenIndex(text).tokens
    starts, ends = {t[0] for t in tokens}, {t[1] for t in tokens}
    sentences = _sentences(text, tokens)
    spans = {s for s in article.spans if s.start in starts and s.end in ends}
    for k, words in enumerate(sentences):
        if k % 3 == 0:  # a claim: the whole sentence
            spans.add(corpus.Span(words[0][0], words[-1][1], "CLAIM"))
        if k % 5 in (1, 2, 3):  # a quote of 5 to 12 words inside the sentence
            n = min(len(words), rng.randint(5, 12))
            first = rng.randint(0, len(words) - n)
            spans.add(corpus.Span(words[first][0], words[first + n - 1][1], "QUOTE"))
        if k % 10 == 4 and k + 1 < len(sentences):  # a quote across the sentence's end
            nxt = sentences[k + 1]
            spans.add(corpus.Span(words[-3][0], nxt[min(2, len(nxt) - 1)][1], "QUOTE"))
    covered = {i for s in spans if s.label not in ("CLAIM", "QUOTE") for i in range(s.start, s.end)}
    free = [w for words in sentences for w in words if w[0] not in covered]
    rng.shuffle(free)
    for start, end in free[: max(0, total - len(spans))]:
        spans.add(corpus.Span(start, end, rng.choice(FILL_LABELS)))
    if len(spans) < total:
        raise ValueError(f"the article has room for {len(spans)} spans, not {total}")
    chosen = sorted(spans, key=lambda s: (s.start, -s.end, s.label))
    while len(chosen) > total:  # too many gold entities for a short article: drop some
        chosen.pop(rng.randrange(len(chosen)))
    return chosen


def build_database(path: Path, chars: int, n_spans: int, seed: int) -> tuple[int, int]:
    """The database file with the article and a short document; their ids."""
    article = next(corpus.iter_articles(1, chars, seed=seed))
    article = replace(article, name="long-article", spans=tuple(make_spans(article, n_spans, seed)))
    short = next(corpus.iter_articles(2, 1500, seed=seed + 1))
    short = replace(short, name="short-article", spans=())
    jsonl = path.with_suffix(".jsonl")
    corpus.write_jsonl(jsonl, [short, article], annotator=WHO)
    db = open_database(path)
    try:
        report = import_paths(db, [jsonl])
        if not report.ok or report.spans != n_spans:
            raise RuntimeError(f"import: {report.summary()}")
        ensure_annotator(db, NOBODY)
        project_id = ensure_project(db, DEFAULT_PROJECT)
        ids = [find_document(db, project_id, name) for name in ("long-article", "short-article")]
        return ids[0].id, ids[1].id  # type: ignore[union-attr]
    finally:
        db.close()


# -- the naive view --------------------------------------------------------------------


def extra_selections(window: MainWindow, db: Database, document_id: int) -> None:
    """ARABIC.md's naive view: every span as an ExtraSelection, built up front."""
    view = window.article.view
    document = view.document()
    selections = []
    for span in document_spans(db, document_id, WHO):
        color = QColor(view.painter.style.color(span.label))
        color.setAlpha(45 if span.label in view.painter.style.long_labels else 80)
        fmt = QTextCharFormat()
        fmt.setBackground(color)
        cursor = QTextCursor(document)
        cursor.setPosition(view.umap.to_qt(span.start))
        cursor.setPosition(view.umap.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        selections.append(selection)
    view.setExtraSelections(selections)


# -- measuring -------------------------------------------------------------------------


class Bench:
    """One window on the database; opens and scrolls the article by each method."""

    def __init__(self, app: QApplication, db: Database, article: int, short: int) -> None:
        self.app, self.db, self.article, self.short = app, db, article, short
        self.window = MainWindow(db, ensure_project(db, DEFAULT_PROJECT), annotator=NOBODY)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.view = self.window.article.view
        self.spans = len(document_spans(db, article, WHO))
        app.processEvents()

    def _prepare(self, method: str) -> None:
        """Not timed: the method's annotator, the short document open and painted."""
        self.view.setExtraSelections([])
        who = WHO if method == SPANS else NOBODY
        if self.window.annotator != who:
            self.window.set_annotator(who)
        self.window.document_list.select_document(self.short)
        self.view.viewport().repaint()
        self.app.processEvents()

    def _check(self, method: str) -> None:
        painted = len(self.view.painter.index)
        extra = len(self.view.extraSelections())
        want = {NO_SPANS: (0, 0), SPANS: (self.spans, 0), EXTRA: (0, self.spans)}[method]
        if self.window.current_document_id() != self.article or (painted, extra) != want:
            raise RuntimeError(f"{method}: {painted} painted, {extra} extra selections")

    def open(self, method: str) -> float:
        self._prepare(method)
        start = time.perf_counter()
        self.window.document_list.select_document(self.article)
        if method == EXTRA:
            extra_selections(self.window, self.db, self.article)
        self.view.viewport().repaint()
        self.app.processEvents()
        seconds = time.perf_counter() - start
        self._check(method)
        return seconds

    def scroll(self) -> list[float]:
        """Page by page to the bottom from the top; each step's seconds."""
        bar = self.view.verticalScrollBar()
        bar.setValue(0)
        self.view.viewport().repaint()
        self.app.processEvents()
        steps = []
        while bar.value() < bar.maximum():
            start = time.perf_counter()
            bar.setValue(min(bar.value() + bar.pageStep(), bar.maximum()))
            self.view.viewport().repaint()
            self.app.processEvents()
            steps.append(time.perf_counter() - start)
        return steps


Run = dict[str, float]
FIGURES = ("open_ms", "scroll_ms", "step_mean_ms", "step_max_ms")


def run_round(bench: Bench, order: tuple[str, ...]) -> dict[str, Run]:
    out = {}
    for method in order:
        opened = bench.open(method)
        steps = bench.scroll()
        out[method] = {
            "open_ms": opened * 1000,
            "scroll_ms": sum(steps) * 1000,
            "scroll_steps": len(steps),
            "step_mean_ms": statistics.fmean(steps) * 1000,
            "step_max_ms": max(steps) * 1000,
            "rss_mib": _rss_mib(),
        }
    return out


def summarise(rounds: list[dict[str, Run]]) -> dict[str, dict[str, object]]:
    """Best and median of each figure, and their ratios to the no-spans figures."""
    figures: dict[str, Run] = {}
    for method in METHODS:
        runs = [r[method] for r in rounds]
        figures[method] = {}
        for figure in FIGURES:
            values = [run[figure] for run in runs]
            figures[method][f"best_{figure}"] = min(values)
            figures[method][f"median_{figure}"] = statistics.median(values)
    base = figures[NO_SPANS]
    return {
        method: {
            **figures[method],
            "ratios": {key: value / base[key] for key, value in figures[method].items()},
            "scroll_steps": [r[method]["scroll_steps"] for r in rounds],
            "runs": [r[method] for r in rounds],
        }
        for method in METHODS
    }


def print_table(results: dict[str, dict[str, object]], cold: dict[str, Run]) -> None:
    columns = [("open", "open_ms", 1), ("scroll", "scroll_ms", 1),
               ("step mean", "step_mean_ms", 2), ("step max", "step_max_ms", 2)]
    head = "".join(f"{name + ' best':>16}{'median':>8}{'ratio':>7}" for name, _k, _d in columns)
    print(f"\n{'method':<18}{'cold open':>10}{head}")
    for method, r in results.items():
        ratios: Run = r["ratios"]  # type: ignore[assignment]
        cells = "".join(
            f"{r[f'best_{k}']:>16.{d}f}{r[f'median_{k}']:>8.{d}f}{ratios[f'best_{k}']:>7.2f}"
            for _name, k, d in columns
        )
        print(f"{method:<18}{cold[method]['open_ms']:>10.0f}{cells}")
    print("milliseconds; ratio = this method's best / the no-spans best; target: spans <= 2")


def screenshot(bench: Bench, path: Path) -> None:
    """The window with the annotated article open, scrolled a little into it."""
    bench.open(SPANS)
    bar = bench.view.verticalScrollBar()
    bar.setValue(bar.pageStep() // 2)
    bench.app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    bench.window.grab().save(str(path))


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """Build the database, run the rounds, print as they go; every figure as a dict."""
    db_path = workdir / "bench.sqlite3"
    article_id, short_id = build_database(db_path, args.chars, args.spans, args.seed)
    app = QApplication([])
    load_bundled_fonts()
    db = open_database(db_path)
    rss_start = _rss_mib()
    bench = Bench(app, db, article_id, short_id)
    load_before = os.getloadavg()[0]
    cold = run_round(bench, METHODS)
    rounds = []
    for round_no in range(args.repeat):
        order = METHODS if round_no % 2 == 0 else METHODS[::-1]
        rounds.append(run_round(bench, order))
        line = "  ".join(
            f"{m} {rounds[-1][m]['open_ms']:.0f}/{rounds[-1][m]['scroll_ms']:.0f}" for m in order
        )
        print(f"  round {round_no + 1} (open/scroll ms): {line}", flush=True)
    bench.open(SPANS)
    index = bench.view.painter.index
    article = {
        "chars": len(bench.view.text()),
        "spans": len(index),
        "stacked_spans": sum(1 for lane in index.lane.values() if lane > 0),
        "lanes": index.lanes,
        "seed": args.seed,
    }
    if args.screenshot:
        screenshot(bench, args.screenshot)
    bench.window.close()
    db.close()
    return {
        "environment": {**_environment(), "qt": qVersion(), "pyside6": PySide6.__version__,
                        "code": code_version()},
        "load_average_before_after": [load_before, os.getloadavg()[0]],
        "article": article,
        "window": list(WINDOW_SIZE),
        "repeat": args.repeat,
        "rss_start_mib": rss_start,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cold": cold,
        "results": summarise(rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=15, help="measured rounds (after 1 warm-up)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--screenshot", type=Path, help="save the window with the spans here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-article-"))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(workdir / "settings"))
    try:
        record = measure(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    results: dict[str, dict[str, object]] = record["results"]  # type: ignore[assignment]
    article: dict[str, int] = record["article"]  # type: ignore[assignment]
    env: dict[str, object] = record["environment"]  # type: ignore[assignment]
    load: list[float] = record["load_average_before_after"]  # type: ignore[assignment]
    steps: list[int] = results[SPANS]["scroll_steps"]  # type: ignore[assignment]
    print_table(results, record["cold"])  # type: ignore[arg-type]
    print(
        f"{article['chars']:,} characters, {article['spans']:,} spans "
        f"({article['stacked_spans']:,} stacked on another, {article['lanes']} lanes), "
        f"{steps[0]} scroll steps; RSS {record['rss_start_mib']:.0f} MiB before the window, "
        f"peak {record['peak_rss_mib']:.0f} MiB"
    )
    print(
        f"code {env['code']}; Python {env['python']}, Qt {env['qt']}, {env['cpus']} CPUs, "
        f"{env['date']}; "
        f"load average {load[0]:.2f} before the rounds, {load[1]:.2f} after"
    )
    if args.json:
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
