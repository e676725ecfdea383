"""An article's language by its script: the one function the fetcher and the stream stages share."""

from __future__ import annotations

import pytest

from marsad.streams.text.lang import SAMPLE_CHARS, detect_lang

CASES = [
    pytest.param("ضبطت مجموعات محلية شحنة كبيرة من المواد المخدرة في ريف درعا", "ar", id="arabic"),
    pytest.param("US forces carried out airstrikes on Wednesday evening", "en", id="english"),
    pytest.param("ok", "en", id="short-latin"),
    pytest.param("قصف", "ar", id="short-arabic"),
    pytest.param("أعلنت قوات سوريا الديمقراطية (SDF) اعتقال خلية", "ar", id="arabic-with-acronym"),
    pytest.param("The SDF said قسد arrested a cell near Raqqa", "en", id="english-with-arabic-word"),
    pytest.param("Привет мир, это текст на русском языке", "", id="cyrillic"),
    pytest.param("2024-03-01 12:00 !", "", id="no-letters"),
    pytest.param("", "", id="empty"),
    pytest.param("x" * SAMPLE_CHARS + "ب" * 1000, "en", id="only-the-first-characters-count"),
]


@pytest.mark.parametrize(("text", "lang"), CASES)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang
