"""The document list: its Qt model, the name and status filters and the text search.
Imports annotator and ui.common.
"""
