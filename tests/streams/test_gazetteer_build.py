"""The gazetteer build: Latin spelling variants, and a reproducible, up-to-date data file."""

from __future__ import annotations

from pathlib import Path

from marsad.streams.extract.gazetteer.build import added_latin_forms, build, latin_alternates, latin_forms
from marsad.streams.extract.gazetteer.model import DATA_FILE, read_tsv


def test_latin_article_variants() -> None:
    forms = latin_forms("Deir ez-Zor")
    assert {"deir ez-zor", "deir al-zor", "deir el zor", "deir ez zor"} <= set(forms)
    assert "bukamal" in latin_forms("Al-Bukamal")  # a leading article may be left out
    assert latin_forms("Homs") == ["homs"]
    assert latin_forms("Ana") == []  # too short to tell from an English word


def test_latin_article_and_ending_variants_of_a_definite_town() -> None:
    forms = latin_forms("Saadiya", definite=True, endings=True)
    assert {"saadiya", "al-saadiya", "as-saadiya", "as-saadiyeh", "saadiyah", "el saadieh"} <= set(forms)
    assert latin_forms("Saadiya") == ["saadiya"]  # a village: a variant could be a person's name
    assert {"hasaka", "hasakeh", "al-hasakah"} <= set(latin_forms("Al-Hasakah", definite=True, endings=True))
    assert latin_forms("Daraa", endings=True) == ["daraa"]  # a long vowel is no feminine ending


def test_an_added_name_keeps_its_diacritics_as_written_too() -> None:
    assert added_latin_forms("Kobanê") == ["kobane", "kobanê"]  # the news keeps the letter; matching does too
    assert added_latin_forms("Kobani") == ["kobani"]


def test_latin_alternates_keep_transliterations_only() -> None:
    names = ["Deir al-Zor", "DEZ", "dyr alzwr", "Zor", "Dayr az Zawr"]
    assert latin_alternates(names) == ["Deir al-Zor", "Dayr az Zawr"]


def test_build_is_reproducible_and_the_committed_file_is_current(tmp_path: Path) -> None:
    first, rows = build(tmp_path / "a.tsv")
    second, _ = build(tmp_path / "b.tsv")
    assert first == second
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()
    assert (tmp_path / "a.tsv").read_bytes() == DATA_FILE.read_bytes(), \
        "gazetteer.tsv is stale: run python -m marsad.streams.extract.gazetteer.build"
    assert read_tsv(tmp_path / "a.tsv").version == first and rows == len(read_tsv().entries)
