"""The one list of number words (streams/extract/numbers.yaml) and the two readers that take theirs from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.streams.extract.incidents import IncidentVocab
from marsad.streams.extract.numbers import number_words
from marsad.streams.extract.quantity_vocab import load_quantity_vocab
from marsad.streams.text.normalize import normalize


def _values(table: dict[float, list[str]]) -> dict[str, set[float]]:
    out: dict[str, set[float]] = {}
    for value, words in table.items():
        for w in words:
            out.setdefault(" ".join(normalize(w).split()), set()).add(float(value))
    return out


@pytest.mark.parametrize("reader", ["amounts", "counts"])
def test_a_word_has_one_value_and_is_listed_once(reader: str) -> None:
    listed = [" ".join(normalize(w).split()) for words in number_words(reader).values() for w in words]
    assert len(listed) == len(set(listed)), "a word listed twice (in `both` and a reader's own list?)"
    assert all(len(v) == 1 for v in _values(number_words(reader)).values())


def test_the_two_readers_agree_on_the_words_they_share() -> None:
    amounts, counts = _values(number_words("amounts")), _values(number_words("counts"))
    assert {w: amounts[w] for w in amounts.keys() & counts.keys()} == \
        {w: counts[w] for w in amounts.keys() & counts.keys()}


def test_each_reader_reads_its_words() -> None:
    assert load_quantity_vocab().numbers.counts["ثلاثه"] == 3.0
    assert "نصف" in load_quantity_vocab().numbers.counts  # an amount's fraction...
    vocab = IncidentVocab.load()
    assert vocab.numbers["ثلاثه عشر"] == 13
    assert "نصف" not in vocab.numbers  # ...is no count of people


def test_a_file_of_ones_own_keeps_the_shared_words_and_adds_its_own(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("extends: default\nnumbers:\n  60: [ستين]\n", encoding="utf-8")
    vocab = IncidentVocab.load(mine)
    assert vocab.numbers["ستين"] == 60 and vocab.numbers["ثلاثه"] == 3
