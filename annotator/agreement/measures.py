"""Chance-corrected agreement on token labels: Cohen's kappa, Fleiss' kappa and
Krippendorff's alpha (nominal), over numpy arrays of label codes.

Each returns None where the figure is undefined: when chance agreement is already
perfect (every label given is the same one), kappa and alpha are 0 / 0.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

MISSING = -1  # a unit an annotator did not code (Krippendorff's alpha only)


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two annotators' labels of the same items."""
    n = len(a)
    if n == 0:
        return None
    size = int(max(a.max(), b.max())) + 1
    observed = np.count_nonzero(a == b) / n
    pa = np.bincount(a, minlength=size) / n
    pb = np.bincount(b, minlength=size) / n
    expected = float(pa @ pb)
    return _ratio(observed - expected, 1.0 - expected)


def cohen_kappa_by_group(
    a: np.ndarray, b: np.ndarray, group: np.ndarray, groups: int
) -> np.ndarray:
    """Cohen's kappa within each group of items (a document's tokens), NaN where a group is
    empty or its kappa undefined."""
    size = int(max(a.max(initial=0), b.max(initial=0))) + 1
    n = np.bincount(group, minlength=groups).astype(float)
    agree = np.bincount(group, weights=(a == b), minlength=groups)
    ca = np.bincount(group * size + a, minlength=groups * size).reshape(groups, size)
    cb = np.bincount(group * size + b, minlength=groups * size).reshape(groups, size)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = agree / n
        expected = (ca * cb).sum(axis=1) / (n * n)
        kappa = (observed - expected) / (1.0 - expected)
    kappa[(n == 0) | (expected >= 1.0)] = np.nan
    return kappa


def _agreeing_pairs(rows: list[np.ndarray]) -> np.ndarray:
    """Per item, how many pairs of annotators gave it the same (non-missing) label."""
    pairs = np.zeros(len(rows[0]), dtype=np.int64)
    for x, y in combinations(rows, 2):
        pairs += (x == y) & (x != MISSING)
    return pairs


def fleiss_kappa(rows: list[np.ndarray]) -> float | None:
    """Fleiss' kappa of n annotators who each labelled every item (one array each).

    With n_ij the annotators giving item i label j: P_i = (sum_j n_ij^2 - n) / (n(n-1)),
    which is the share of annotator pairs agreeing on item i; kappa = (mean P_i - P_e) /
    (1 - P_e), P_e = sum_j p_j^2, p_j the share of all labels given that are j.
    """
    n, items = len(rows), len(rows[0])
    if n < 2 or items == 0:
        return None
    p_mean = _agreeing_pairs(rows).sum() / (items * n * (n - 1) / 2)
    labels = np.concatenate(rows)
    p = np.bincount(labels) / len(labels)
    expected = float(p @ p)
    return _ratio(float(p_mean) - expected, 1.0 - expected)


def krippendorff_alpha(rows: list[np.ndarray]) -> float | None:
    """Krippendorff's alpha for nominal data; ``MISSING`` marks labels not given.

    Only items with two or more labels count (pairable values). With m_u labels on item
    u, n_uc of them c, and n_c = sum_u n_uc over those items, n = sum_c n_c:
    D_o = sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1), D_e = (n^2 - sum_c n_c^2) / (n - 1),
    alpha = 1 - D_o / D_e (Krippendorff 2011, "Computing Krippendorff's alpha").
    """
    stacked = np.vstack(rows)
    coded = stacked != MISSING
    m = coded.sum(axis=0)
    pairable = m >= 2
    m = m[pairable]
    if len(m) == 0:
        return None
    # sum_c n_uc^2 = m_u + 2 * (pairs agreeing on u)
    squares = m + 2 * _agreeing_pairs(list(stacked[:, pairable]))
    disagreement = float(((m * m - squares) / (m - 1)).sum())
    values = stacked[:, pairable][coded[:, pairable]]
    n = len(values)
    counts = np.bincount(values).astype(float)
    expected = (n * n - float(counts @ counts)) / (n - 1)
    if expected == 0:
        return None
    return 1.0 - disagreement / expected
