"""The Qt window of annotator.

Everything here imports PySide6; the headless core in :mod:`annotator` never imports this
package. Widgets get plain values (``DocumentRow``, ``DocumentValue``) from core functions
and never hold an SQLAlchemy session.
"""
