"""Snapping selections to tokens and graphemes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.text.tokens import TokenIndex

TEXT = "قال جون كيري، «مُحَمَّد» 70% و👍🏽 OSCE-Bericht وبغداد"


def snapped(start: int, end: int) -> str:
    ix = TokenIndex(TEXT)
    a, b = ix.snap_tokens(start, end)
    return TEXT[a:b]


def test_tokens_of_mixed_text() -> None:
    ix = TokenIndex(TEXT)
    assert [TEXT[a:b] for a, b in ix.tokens] == [
        "قال", "جون", "كيري", "،", "«", "مُحَمَّد", "»", "70", "%", "و", "👍🏽", "OSCE", "-",
        "Bericht", "وبغداد",
    ]


def test_a_drag_inside_words_takes_the_whole_words() -> None:
    i = TEXT.index("ون")
    assert snapped(i, i + 5) == "جون كيري"
    assert snapped(TEXT.index("7") + 1, TEXT.index("%")) == "70"
    assert snapped(TEXT.index("SC"), TEXT.index("Ber") + 1) == "OSCE-Bericht"


def test_spaces_at_the_edges_are_dropped_and_a_click_takes_one_token() -> None:
    i = TEXT.index(" جون")
    assert snapped(i, i + 1) == ""
    assert snapped(i, i + 3) == "جون"
    assert snapped(i + 2, i + 2) == "جون"


def test_character_mode_keeps_harakat_and_emoji_whole() -> None:
    ix = TokenIndex(TEXT)
    h = TEXT.index("حَ")
    assert TEXT[slice(*ix.snap_chars(h + 1, h + 2))] == "حَ"  # the fatha alone takes its letter
    e = TEXT.index("👍")
    assert TEXT[slice(*ix.snap_chars(e + 1, e + 2))] == "👍🏽"
    b = TEXT.index("بغداد")
    assert TEXT[slice(*ix.snap_chars(b, b + 5))] == "بغداد"  # the clitic و stays out


@given(st.text(alphabet="قال جون،«»70%👍🏽\u064e\u0651 aZ-\n", max_size=40), st.data())
def test_snapping_contains_the_selected_letters(text: str, data: st.DataObject) -> None:
    ix = TokenIndex(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    a, b = ix.snap_tokens(start, end)
    assert 0 <= a <= b <= len(text)
    visible = [i for i in range(start, end) if not text[i].isspace()]
    if visible:  # every visible character selected is inside the snapped range
        assert a <= visible[0] and b > visible[-1]
        assert text[a:b].strip() == text[a:b]
    ca, cb = ix.snap_chars(start, end)
    assert ca <= start and cb >= end
    assert ca in ix.graphemes and cb in ix.graphemes
