"""The incident vocabulary file: the default, a user's file extending it, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.streams.extract.incidents import IncidentVocab, IncidentVocabError, find_incidents
from marsad.streams.pipeline import Resources, analyse
from marsad.streams.text.normalize import normalize
from tests.streams.incidents_support import resources

SENTENCE = "نفذ مسلحون عملية تسلل إلى مدينة الحسكة."  # "تسلل" (infiltration) is no trigger by default


def _types(text: str, vocab: IncidentVocab) -> list[str]:
    res = resources()
    facts = analyse(text, res)
    return [i.type for i in find_incidents(facts.clean_text, facts.norm_text, lang="ar", published=None,
                                           places=facts.places, orgs=facts.orgs, quantities=facts.quantities,
                                           vocab=vocab, taxonomy=res.taxonomy)]


def test_the_default_loads_and_has_every_type() -> None:
    vocab = IncidentVocab.load()
    labels = {c.label for c in vocab.matcher.scan(normalize("اشتباكات هجوم غارة اعتقال ضبط اختطاف مظاهرة نزوح اجتماع"))}
    assert {f"t:{t}" for t in ("armed_clash", "attack", "airstrike", "arrest_raid", "seizure", "kidnapping",
                               "protest", "displacement", "strategic")} <= labels
    assert len(vocab.version) == 16


def test_a_user_file_extends_the_default(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("extends: default\ntypes:\n  attack:\n    strong: [تسلل]\n", encoding="utf-8")
    assert _types(SENTENCE, IncidentVocab.load()) == []
    extended = IncidentVocab.load(mine)
    assert _types(SENTENCE, extended) == ["attack"]
    assert _types("اندلعت اشتباكات في مدينة الحسكة.", extended) == ["armed_clash"]  # the default's phrases stay
    assert extended.version != IncidentVocab.load().version


def test_resources_take_the_file_and_record_it_in_their_version(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("extends: default\ncues:\n  future: [ربما]\n", encoding="utf-8")
    assert Resources.load(incidents_file=mine).version != Resources.load().version


@pytest.mark.parametrize(("content", "message"), [
    ("types: [a, b]\n", "types: must be a mapping"),
    ("types:\n  riot: {strong: [شغب]}\n", "types.riot: not an incident type"),
    ("types:\n  attack: {strong: هجوم}\n", "types.attack.strong: must be a list of non-empty phrases"),
    ("types:\n  attack: {often: [هجوم]}\n", "types.attack.often: unknown field"),
    ("types: {}\ncues:\n  soon: [قريبا]\n", "cues.soon: unknown field"),
    ("types: {}\ncues: {}\ndates:\n  weekdays: {9: [يوم]}\n", "dates.weekdays.9: the key must be a whole number"),
    ("colour: blue\n", "colour: unknown field"),
    ("cues:\n  target_before: [on]\n", "cues.target_before: true is YAML's boolean: write the word in quotes"),
    ("types: [\n", "not valid YAML"),
    ("extends: nowhere.yaml\n", "cannot read the incident vocabulary"),
], ids=["types-not-mapping", "unknown-type", "phrases-not-list", "unknown-type-field", "unknown-cue",
        "weekday-out-of-range", "unknown-top-field", "yaml-boolean", "bad-yaml", "extends-missing-file"])
def test_errors_name_the_entry(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(IncidentVocabError, match=message.replace(".", r"\.").replace("[", r"\[")):
        IncidentVocab.load(bad)


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IncidentVocabError, match="cannot read the incident vocabulary"):
        IncidentVocab.load(tmp_path / "absent.yaml")
