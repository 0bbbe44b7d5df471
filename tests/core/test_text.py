"""Canonical text and the UTF-16 offset map."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.text.canonical import TextDecodeError, Utf16Map, canonical, decode


def qt_position(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_utf16_map_round_trips(text: str) -> None:
    m = Utf16Map(text)
    for i in range(len(text) + 1):
        q = qt_position(text, i)
        assert m.to_qt(i) == q
        assert m.from_qt(q) == i


def test_position_inside_a_surrogate_pair_rounds_down() -> None:
    text = "قال 👍🏽 نعم"
    m = Utf16Map(text)
    thumb = text.index("👍")
    assert m.from_qt(m.to_qt(thumb) + 1) == thumb


def test_canonical_keeps_harakat_tatweel_and_marks() -> None:
    text = "\ufeffمُحَمَّد ـــ \u200fنص\u200d\r\nسطر\rآخر ﷺ"
    c = canonical(text)
    assert c.text == "مُحَمَّد ـــ \u200fنص\u200d\nسطر\nآخر ﷺ"


def test_decode_error_names_line_and_column() -> None:
    with pytest.raises(TextDecodeError) as err:
        decode("سطر\nأ".encode() + b"\x81", "utf-8")
    assert (err.value.line, err.value.column) == (2, 3)
    assert decode("نص".encode("cp1256"), "cp1256") == "نص"
