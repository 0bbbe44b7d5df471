"""Chance-corrected agreement on token labels: Cohen's kappa, Fleiss' kappa and
Krippendorff's alpha (nominal), over numpy arrays of label codes.

All three need only a few totals: how many items each pair of annotators labels alike,
and how often each annotator gives each label. The ``*_from`` functions take those
totals (the report computes them once for every figure); the others take the labels.
Each returns None where the figure is undefined: when chance agreement is already
perfect (every label given is the same one), kappa and alpha are 0 / 0.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

MISSING = -1  # a unit an annotator did not code (Krippendorff's alpha only)


def kappa_from(agree: np.ndarray, items: np.ndarray, counts_a: np.ndarray,
               counts_b: np.ndarray) -> np.ndarray:
    """Cohen's kappa from items labelled alike, items, and each annotator's label counts
    (last axis); for one set of items or many (a document per row). NaN if undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = agree / items
        expected = (counts_a * counts_b).sum(axis=-1) / (items * items)
        kappa = (observed - expected) / (1.0 - expected)
    return np.where((items > 0) & (expected < 1.0), kappa, np.nan)


def fleiss_from(agree: int, items: int, raters: int, counts: np.ndarray) -> float | None:
    """Fleiss' kappa from the annotator pairs agreeing, summed over items, and the label
    counts of all annotators together.

    With n_ij the annotators giving item i label j: P_i = (sum_j n_ij^2 - n) / (n(n-1)),
    the share of annotator pairs agreeing on item i; kappa = (mean P_i - P_e) / (1 - P_e),
    P_e = sum_j p_j^2, p_j the share of all labels given that are j.
    """
    if raters < 2 or items == 0:
        return None
    p = counts / counts.sum()
    expected = float(p @ p)
    observed = agree / (items * raters * (raters - 1) / 2)
    return None if expected == 1.0 else (observed - expected) / (1.0 - expected)


def alpha_from(disagreement: float, counts: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) from D_o = sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)
    over the items with two or more labels, and n_c, the label counts over those items:
    alpha = 1 - D_o / D_e, D_e = (n^2 - sum_c n_c^2) / (n - 1), n = sum_c n_c
    (Krippendorff 2011, "Computing Krippendorff's alpha-reliability")."""
    total = float(counts.sum())
    if total < 2:
        return None
    expected = (total * total - float(counts @ counts)) / (total - 1)
    return None if expected == 0 else 1.0 - disagreement / expected


def complete_disagreement(agree: int, items: int, raters: int) -> float:
    """D_o of :func:`alpha_from` when all ``raters`` labelled every item: on each,
    sum_c n_uc^2 = n + 2 * (pairs agreeing), so only the total of agreeing pairs counts."""
    return (items * (raters * raters - raters) - 2 * agree) / (raters - 1)


def _counts(rows: list[np.ndarray]) -> list[np.ndarray]:
    size = int(max(r.max(initial=0) for r in rows)) + 1
    return [np.bincount(r, minlength=size) for r in rows]


def _agree(rows: list[np.ndarray]) -> int:
    return sum(int(np.count_nonzero(x == y)) for x, y in combinations(rows, 2))


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two annotators' labels of the same items."""
    if len(a) == 0:
        return None
    ca, cb = _counts([a, b])
    kappa = float(kappa_from(np.array(_agree([a, b])), np.array(len(a)), ca, cb))
    return None if np.isnan(kappa) else kappa


def fleiss_kappa(rows: list[np.ndarray]) -> float | None:
    """Fleiss' kappa of annotators who each labelled every item (one array each)."""
    if not rows or len(rows[0]) == 0:
        return None
    return fleiss_from(_agree(rows), len(rows[0]), len(rows), sum(_counts(rows)))


def krippendorff_alpha(rows: list[np.ndarray]) -> float | None:
    """Krippendorff's alpha for nominal data; ``MISSING`` marks labels not given."""
    if not any(r.min(initial=0) < 0 for r in rows):
        if len(rows) < 2 or len(rows[0]) == 0:
            return None
        disagreement = complete_disagreement(_agree(rows), len(rows[0]), len(rows))
        return alpha_from(disagreement, sum(_counts(rows)).astype(float))
    stacked = np.vstack(rows)
    coded = stacked != MISSING
    keep = coded.sum(axis=0) >= 2  # pairable items
    stacked, coded = stacked[:, keep], coded[:, keep]
    m = coded.sum(axis=0)
    pairs = np.zeros(len(m), dtype=np.int64)
    for x, y in combinations(list(stacked), 2):
        pairs += (x == y) & (x != MISSING)
    disagreement = float(((m * m - m - 2 * pairs) / np.maximum(m - 1, 1)).sum())
    return alpha_from(disagreement, np.bincount(stacked[coded]).astype(float))
