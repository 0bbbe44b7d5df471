"""The import, export and task dialogs, and the background jobs they and the reports run on.
Imports annotator and ui.common.
"""
