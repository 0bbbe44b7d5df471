"""Stored work: projects and their schema, documents, spans, relations, statuses, gold, stats.
Each public function is one transaction; imports annotator.db and annotator.text only.
"""
