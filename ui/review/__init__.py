"""Review mode and the agreement report: pane, view, painter, commands, refresh, charts, HTML.
Imports annotator, ui.tagging, ui.documents, ui.io and ui.common.
"""
