"""Shared test setup: every test gets its own data directory and database location."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_DIR = SHARED / "corpus" / "seed"
NEWSFANE = SHARED / "corpus" / "newsfane" / "NewsFANE_Gold_2014_170K.txt"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data directory or ANNOTATOR_DB."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    monkeypatch.delenv("ANNOTATOR_BIDI", raising=False)
