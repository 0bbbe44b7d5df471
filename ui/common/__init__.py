"""Small pieces every part of the window uses: fonts, settings, the annotator prompt, small widgets.
Imports annotator only; nothing else of ui.
"""
