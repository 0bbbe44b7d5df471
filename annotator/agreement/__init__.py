"""Agreement between annotators: span precision/recall/F1, token-level Cohen's and
Fleiss' kappa, Krippendorff's alpha, and a per-document ranking by disagreement.

Which documents count and who is compared: :mod:`annotator.agreement.data`.
Span matching (exact, overlap; one-to-one) and P/R/F1: :mod:`annotator.agreement.spans`.
Token labels (TokenIndex tokens; the innermost span labels a token; O for none):
:mod:`annotator.agreement.tokens`. The chance-corrected figures:
:mod:`annotator.agreement.measures`. The report value: :mod:`annotator.agreement.report`.

This package imports numpy; ``import annotator`` does not import it.
"""

from annotator.agreement.data import AgreementError
from annotator.agreement.report import (
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
