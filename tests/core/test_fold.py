"""The one Arabic folding (annotator.text.fold) and matching on it (annotator.text.match).

The offset map is proved on thousands of generated texts full of harakat, tatweel,
controls, emoji and every folded letter: each folded character comes from the original
character its map names, and every match maps back to an exact ``text[start:end]``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text.fold import DELETED, fold, fold_with_map
from annotator.text.match import compile_query, find_all

FOLDING_TABLE = [
    ("أحمد", "احمد"), ("إسرائيل", "اسرائيل"), ("آمنة", "امنه"), ("ٱلله", "الله"),
    ("المستشفى", "المستشفي"), ("المدينة", "المدينه"), ("بَغْدَادُ", "بغداد"),
    ("بغـــداد", "بغداد"), ("هٰذا", "هذا"), ("ا\u0654حمد", "احمد"),  # decomposed hamza
    ("٢٠٢٤", "2024"), ("۱۲", "12"), ("OSCE", "osce"), ("İstanbul", "istanbul"),
    ("ی", "ي"), ("ک", "ك"), ("\u200fحلب\u200e", "حلب"), ("مؤتمر", "مؤتمر"), ("هيئة", "هيئه"),
]


def test_the_folding_table() -> None:
    for text, key in FOLDING_TABLE:
        assert fold(text) == key, text


def test_hamza_seats_only_when_asked() -> None:
    assert fold("مؤتمر") == "مؤتمر"
    assert fold("مؤتمر", seats=True) == "موتمر"
    assert fold("هيئة", seats=True) == "هييه"


ARABIC = [chr(c) for c in range(0x0621, 0x064B)] + ["\u0671", "\u06cc", "\u06a9"]
HARD = st.sampled_from(
    ARABIC + list(DELETED) + ["\u0640"] * 3 + list("٠١٢٣۴۵ 0123 \n.،:\"«»") + list("AbİZ")
    + ["👍🏽", "😀", "\U0001d400", "ﷺ", "ﻻ", "\u0654", "\u0655"])
TEXTS = st.lists(HARD, max_size=80).map("".join)


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_every_folded_character_maps_back_to_its_own_original(text: str) -> None:
    folded = fold_with_map(text)
    assert folded.text == fold(text)
    previous = -1
    for i, char in enumerate(folded.text):
        origin = folded.origin(i)
        assert origin > previous  # in order, one to one
        previous = origin
        assert fold(text[origin]) == char
    # what the map skips is exactly what folding deletes
    kept = {folded.origin(i) for i in range(len(folded.text))}
    assert all(text[j] in DELETED for j in range(len(text)) if j not in kept)


@settings(max_examples=2000, deadline=None)
@given(TEXTS, st.integers(0, 40), st.integers(1, 6))
def test_a_substring_match_is_exact_original_text(text: str, at: int, length: int) -> None:
    folded = fold(text)
    needle = folded[at:at + length].strip()
    if not needle:
        return
    for start, end in find_all(text, needle, substring=True):
        assert 0 <= start < end <= len(text)
        piece = text[start:end]
        assert needle.replace(" ", "") in fold(piece).replace(" ", "")
        assert text[start] not in DELETED  # starts on a letter, not on a mark


def words(text: str, query: str, **kw: bool) -> list[str]:
    return [text[s:e] for s, e in find_all(text, query, **kw)]


def test_whole_words_behind_clitics() -> None:
    text = "قال والرئيس إن بالرئيس وللرئيس فبالرئيس الرئيسَ ورئيسهم رئيسية"
    assert words(text, "الرئيس") == ["الرئيس", "الرئيس", "لرئيس", "الرئيس", "الرئيسَ"]
    assert words(text, "رئيس") == ["رئيس"] * 4 + ["رئيسَ"]


def test_the_match_covers_the_word_not_its_clitics() -> None:
    text = "وصل إلى وبغداد ثم ببغداد وكبغداد"
    spans = find_all(text, "بغداد")
    assert [text[s:e] for s, e in spans] == ["بغداد"] * 3
    assert text[spans[0][0] - 1] == "و"


def test_no_match_inside_a_word() -> None:
    text = "محلبي حلبية حلبا حلب وحلب"
    assert words(text, "حلب") == ["حلب", "حلب"]
    assert words(text, "حلب", substring=True) == ["حلب"] * 5


def test_spelling_variants_find_each_other() -> None:
    for a, b in [("أحمد", "احمد"), ("إسرائيل", "اسرائيل"), ("آمنة", "امنة"),
                 ("المستشفى", "المستشفي"), ("المدينة", "المدينه")]:
        assert words(f"قال {a} اليوم", b) == [a]
        assert words(f"قال {b} اليوم", a) == [b]


def test_marks_tatweel_and_emoji_keep_offsets_exact() -> None:
    text = "😀 قالَ الرَّئِيسُ 👍🏽 إنّ حلـــبَ آمنةٌ"
    assert words(text, "الرئيس") == ["الرَّئِيسُ"]
    assert words(text, "حلب") == ["حلـــبَ"]
    assert words(text, "امنه") == ["آمنةٌ"]


def test_phrases_and_or() -> None:
    text = "قال وزير الخارجية الروسي، ووزير  الخارجية الأمريكي، وحلب ودمشق"
    assert words(text, "وزير الخارجية") == ["وزير الخارجية", "وزير  الخارجية"]
    assert words(text, "حلب OR دمشق") == ["حلب", "دمشق"]
    assert words(text, "حلب | دمشق") == ["حلب", "دمشق"]


def test_an_empty_query_matches_nothing() -> None:
    assert find_all("حلب", "  ") == []
    assert find_all("حلب", "\u064e") == []  # only a haraka: nothing left once folded
    assert not compile_query("").matches("حلب")


def test_latin_and_digits() -> None:
    text = "قالت OSCE إن 70% من ٢٠٢٤ osce"
    assert words(text, "osce") == ["OSCE", "osce"]
    assert words(text, "2024") == ["٢٠٢٤"]
