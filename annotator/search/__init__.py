"""Finding text: in the corpus (documents whose text matches a query).
Imports annotator.db, annotator.store and annotator.text.
"""
