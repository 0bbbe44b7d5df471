"""Searching document texts on a real SQLite file: marks, case and wildcards."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.db.engine import Database
from annotator.io.importer import import_paths
from annotator.search.corpus import search_documents
from annotator.store.documents import list_documents
from annotator.store.projects import ensure_project
from annotator.text.fold import fold

TEXTS = {
    "plain": "وصل الوزير إلى بغداد أمس.",
    "harakat": "وصل الوزير إلى بَغْدَادَ أمسِ.",  # fatha, sukun, kasra inside the word
    "tatweel": "اجتماع في بغـــداد اليوم.",
    "shadda": "قالت الأمم المتّحدة إنّ المساعدات وصلت.",
    "latin": "OSCE: قالت البعثة إن الانتخابات جرت بهدوء.",
    "percent": "شارك 70% من الناخبين، و70 مراقبا axb.",
    "other": "خبر عن البصرة 701 a_b.",
}


@pytest.fixture
def ids(db: Database, tmp_path: Path) -> dict[str, int]:
    """The documents of TEXTS imported into the default project, by name."""
    for name, text in TEXTS.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    import_paths(db, sorted(tmp_path.glob("*.txt")))
    (tmp_path / "elsewhere.txt").write_text("بغداد في مشروع آخر", encoding="utf-8")
    import_paths(db, [tmp_path / "elsewhere.txt"], project="another")
    return {row.name: row.id for row in list_documents(db, ensure_project(db))}


def names(found: set[int], ids: dict[str, int]) -> set[str]:
    return {name for name, doc_id in ids.items() if doc_id in found}


def test_a_word_is_found_with_or_without_harakat_and_tatweel(
    db: Database, ids: dict[str, int]
) -> None:
    project = ensure_project(db)
    baghdad = {"plain", "harakat", "tatweel"}
    assert names(search_documents(db, project, "بغداد"), ids) == baghdad
    assert names(search_documents(db, project, "بَغْدَاد"), ids) == baghdad  # query marked
    assert names(search_documents(db, project, "  بغـداد "), ids) == baghdad
    assert names(search_documents(db, project, "المتحدة"), ids) == {"shadda"}
    assert names(search_documents(db, project, "إلى بغداد أمس"), ids) == {"plain", "harakat"}
    assert search_documents(db, project, "بغدادي") == set()


def test_latin_ignores_case_and_like_wildcards_are_literal(
    db: Database, ids: dict[str, int]
) -> None:
    project = ensure_project(db)
    assert names(search_documents(db, project, "osce"), ids) == {"latin"}
    assert names(search_documents(db, project, "70%"), ids) == {"percent"}
    assert names(search_documents(db, project, "a_b"), ids) == {"other"}
    assert names(search_documents(db, project, "70"), ids) == {"percent", "other"}


def test_blank_queries_limits_and_projects(db: Database, ids: dict[str, int]) -> None:
    project = ensure_project(db)
    assert search_documents(db, project, "") == set()
    assert search_documents(db, project, " \u064e\u0640 ") == set()  # only marks
    first_two = sorted(search_documents(db, project, "بغداد"))[:2]
    assert search_documents(db, project, "بغداد", limit=2) == set(first_two)
    another = ensure_project(db, "another")
    assert len(search_documents(db, another, "بغداد")) == 1


def test_fold_is_the_key_names_are_filtered_on() -> None:
    assert fold("تقرير_بَغْـداد_OSCE") == "تقرير_بغداد_osce"
    # Case folds one letter to one (offsets map back), so ß stays ß: not casefold()'s "ss".
    assert fold("Straße") == "straße"
    assert fold("أحمد") == fold("احمد")  # the one folding: hamza seats of alef too
