"""Agreement between annotators: span P/R/F1, token kappas and alpha, the documents ranked.
Imports annotator.store, annotator.db, annotator.text and numpy (``import annotator`` does not).

Which documents count and who is compared: :mod:`annotator.review.data`.
Span matching (exact, overlap; one-to-one) and P/R/F1: :mod:`annotator.review.spans`.
Token labels (TokenIndex tokens; the innermost span labels a token; O for none):
:mod:`annotator.review.tokens`. The chance-corrected figures:
:mod:`annotator.review.measures`. The report value: :mod:`annotator.review.report`.

This package imports numpy; ``import annotator`` does not import it.
"""

from annotator.review.data import AgreementError
from annotator.review.report import (
    AgreementReport,
    DocumentAgreement,
    PairAgreement,
    Scores,
    SpanAgreement,
    agreement_report,
)

__all__ = [
    "AgreementError",
    "AgreementReport",
    "DocumentAgreement",
    "PairAgreement",
    "Scores",
    "SpanAgreement",
    "agreement_report",
]
