"""The agreement report as plain-text tables, for the command line."""

from __future__ import annotations

from collections.abc import Callable

from annotator.review.report import AgreementReport, PairAgreement, Scores


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _grid(rows: list[list[str]], left: int = 1) -> list[str]:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) if i < left else c.rjust(w)
                  for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
        for r in rows
    ]


def _prf(s: Scores) -> list[str]:
    return [_num(s.precision), _num(s.recall), _num(s.f1)]


def _pair_table(pair: PairAgreement) -> list[str]:
    ex, ov = pair.exact, pair.overlap
    rows = [["label", pair.reference, pair.other, "exact P", "R", "F1", "overlap P", "R", "F1"]]
    both = [(label, scores, ov.per_label[label]) for label, scores in ex.per_label.items()]
    for label, e, o in [*both, ("micro", ex.micro, ov.micro)]:
        rows.append([label, str(e.reference), str(e.other), *_prf(e), *_prf(o)])
    rows.append(["macro", "", "", *(_num(v) for v in (
        ex.macro_precision, ex.macro_recall, ex.macro_f1,
        ov.macro_precision, ov.macro_recall, ov.macro_f1))])
    title = (f"{pair.reference} (reference) vs {pair.other}: token kappa "
             f"{_num(pair.cohen_kappa)}, same token label {_num(pair.observed)}")
    return [title, *_grid(rows)]


def format_report(
    report: AgreementReport, documents: int = 10, name: Callable[[str], str] = str
) -> str:
    """Readable tables: the token figures, Cohen's kappa per pair, span P/R/F1 per pair
    (per label, micro, macro; exact and overlap), then the ``documents`` documents with
    the most disagreement. ``name`` prepares a document name for the terminal."""
    lines = [
        f"annotators: {', '.join(report.annotators)}; {report.document_count} documents all "
        f"touched, {report.token_count} tokens; labels: {', '.join(report.labels)}",
    ]
    if not report.document_count:
        lines.append("no document was touched by all of them: nothing to compare")
        return "\n".join(lines)
    lines.append(
        f"tokens: Fleiss' kappa {_num(report.fleiss_kappa)}"
        f"{' (three or more annotators)' if report.fleiss_kappa is None else ''}, "
        f"Krippendorff's alpha (nominal) {_num(report.krippendorff_alpha)}"
    )
    others = list(report.annotators[1:])
    kappa = {(p.reference, p.other): p.cohen_kappa for p in report.pairs}
    grid = [["Cohen's kappa", *others]]
    for a in report.annotators[:-1]:
        grid.append([a, *(_num(kappa[(a, b)]) if (a, b) in kappa else "" for b in others)])
    lines += ["", *_grid(grid)]
    for pair in report.pairs:
        lines += ["", *_pair_table(pair)]
    worst = report.documents[:documents]
    if worst:
        lines += ["", f"the {len(worst)} documents with the most disagreement "
                      "(means over pairs; kappa on tokens, F1 on spans)"]
        rows = [["kappa", "F1 exact", "F1 overlap", "tokens", "id", "document"]]
        rows += [[_num(d.kappa), _num(d.f1_exact), _num(d.f1_overlap), str(d.tokens),
                  str(d.document_id), name(d.name)] for d in worst]
        lines += _grid(rows, left=0)
    return "\n".join(lines)
