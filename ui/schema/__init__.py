"""The label schema dialog.
Imports annotator and ui.common.
"""
