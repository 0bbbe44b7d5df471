"""The command line's commands, one module per group of commands, each with a ``register(sub)``.
Imports any package of annotator; only annotator.cli imports it.
"""
