"""Tagging one article: view, painters, controller, commands, save queue, menus, span list, palette.
Imports annotator and ui.common.
"""
