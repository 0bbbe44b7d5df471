"""Text with no database: canonical text and UTF-16 maps, tokens, and the folding of Arabic.
Imports nothing else of annotator.
"""
