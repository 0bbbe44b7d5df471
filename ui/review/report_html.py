"""The agreement report as one self-contained HTML file: tables and an embedded PNG.

Arabic display names are written as they are stored, each in its own ``<bdi dir=rtl>``
so a browser orders it apart from the Latin around it.
"""

from __future__ import annotations

from html import escape

from ui.review.report_result import ReportResult, figure


def _label(name: str, display: dict[str, str]) -> str:
    shown = display.get(name, "")
    extra = f' <bdi dir="rtl">{escape(shown)}</bdi>' if shown and shown != name else ""
    return f"{escape(name)}{extra}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def report_html(result: ReportResult, display: dict[str, str], png_base64: bytes) -> str:
    report = result.report
    parts = [
        f"<h1>Agreement: {escape(', '.join(report.annotators))}</h1>",  # type: ignore[attr-defined]
        f"<p>{report.document_count} documents all touched, "  # type: ignore[attr-defined]
        f"{report.token_count} tokens.</p>",  # type: ignore[attr-defined]
        "<h2>Token agreement</h2>",
        _table(["figure", "value"], [
            *[[f"Cohen's kappa {escape(p.reference)} / {escape(p.other)}", figure(p.cohen_kappa)]
              for p in report.pairs],  # type: ignore[attr-defined]
            ["Fleiss' kappa", figure(report.fleiss_kappa)],  # type: ignore[attr-defined]
            ["Krippendorff's alpha", figure(report.krippendorff_alpha)],  # type: ignore[attr-defined]
        ]),
    ]
    for pair in report.pairs:  # type: ignore[attr-defined]
        rows = []
        for name, e in pair.exact.per_label.items():
            o = pair.overlap.per_label[name]
            rows.append([_label(name, display), str(e.reference), str(e.other),
                         figure(e.precision), figure(e.recall), figure(e.f1),
                         figure(o.precision), figure(o.recall), figure(o.f1)])
        ex, ov = pair.exact.micro, pair.overlap.micro
        rows.append(["micro", str(ex.reference), str(ex.other), figure(ex.precision),
                     figure(ex.recall), figure(ex.f1), figure(ov.precision), figure(ov.recall),
                     figure(ov.f1)])
        parts += [f"<h2>Spans: {escape(pair.reference)} (reference) vs {escape(pair.other)}</h2>",
                  _table(["label", escape(pair.reference), escape(pair.other), "exact P", "R",
                          "F1", "overlap P", "R", "F1"], rows)]
    codes = result.codes
    parts += [
        f"<h2>Token label confusion ({escape(report.pairs[0].reference)} rows, "  # type: ignore[attr-defined]
        f"{escape(report.pairs[0].other)} columns)</h2>",  # type: ignore[attr-defined]
        _table(["", *(_label(c, display) for c in codes)],
               [[_label(c, display), *map(str, row)] for c, row in zip(codes, result.confusion,
                                                                      strict=True)]),
        "<h2>Charts</h2>",
        f'<img alt="agreement charts" src="data:image/png;base64,{png_base64.decode()}">',
    ]
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
             "margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Agreement report</title><style>{style}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
