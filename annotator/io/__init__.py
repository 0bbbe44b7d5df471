"""Moving work in and out: the importer, export, merge, the sample corpus, and formats/.
Imports annotator.store, annotator.db and annotator.text; never annotator.review.
"""
