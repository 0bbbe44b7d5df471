"""The Qt window: ``app.py`` starts it, ``main_window.py`` wires the feature packages below.
Imports PySide6 and annotator.

Everything here imports PySide6; the headless core in :mod:`annotator` never imports this
package. Widgets get plain values (``DocumentRow``, ``DocumentValue``) from core functions
and never hold an SQLAlchemy session.
"""
