"""annotator: the headless core of the Arabic news annotation tool.

The core stores documents and their spans, imports corpora, exports training data and
drives the command line. It never imports Qt: the window lives in the separate ``ui``
package. Keep this module free of imports so that ``import annotator`` stays cheap.
"""

__version__ = "0.1.0"
