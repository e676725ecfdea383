"""The incident coder's vocabulary: triggers by type, cue words, count and date words.

`IncidentVocab.load()` reads the bundled ``incidents.yaml`` (its header
documents the format; its count words are those of ``streams/extract/numbers.yaml``); `IncidentVocab.load(path)` reads a user's file, which
stands alone or starts with ``extends: default`` (or the path of another
vocabulary file) to add phrases to that one. Loading validates every list
and compiles one automaton over the triggers and cues, so it belongs at
start-up; a vocabulary is immutable and shared by every article afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from marsad.schemas.wire import INCIDENT_TYPES
from marsad.streams.extract.incidents.phrases import Phrases
from marsad.streams.extract.numbers import NUMBERS_FILE, number_words
from marsad.streams.text.automaton import ALPHA, DIGIT, Automaton, word_marks
from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import PREFIXES

DEFAULT_PATH = Path(__file__).with_name("incidents.yaml")
_MAX_EXTENDS = 8
_MAX_PREFIX = max(map(len, PREFIXES))

# Cue lists the automaton finds (the others are token sets, read around a hit).
SCANNED_CUES = ("air", "background", "off_topic", "not_trigger", "ongoing", "future", "statement", "caption",
                "vague_time", "another_event", "events_dual", "events_plural", "same_place", "similar", "period_total", "its_kind",
                "engagement",
                "toll_rise",
                "killed", "injured", "arrested", "seized_people", "captured", "no_casualties")
TOKEN_CUES = ("approximate", "person", "people", "group", "group_of", "addition", "others", "goods", "source_before",
              "place_source", "place_title", "actor_before", "target_before", "target_after", "origin_before",
              "background_start", "place_vague", "place_near",
              "subject_verb", "subject_noun", "weapon_after", "forces",
              "outlet_before_24", "casualty_one", "casualty_his", "attempt",
              "speaker_before", "claim_after", "name_of_fight", "vague_amount", "cause_before", "contrast",
              "belonging", "aircraft", "each_of", "nicknamed", "names_end", "details_start", "suffered",
              "the_event", "gunmen", "act_noun", "next_in_turn", "own_members", "casualty_verb",
              "leaning", "affiliated", "speaker_after", "host_verb", "host_place", "accuse", "saying_between", "blast")
_TYPE_FIELDS = {"strong", "weak", "requires"}
DAY_LABELS = frozenset({"d:today", "d:yesterday", "d:day_before_yesterday"})  # the labels of a relative day
_TOP_FIELDS = {"extends", "types", "cues", "numbers", "duals", "not_people", "dates"}
_DATE_FIELDS = {"today", "yesterday", "day_before_yesterday", "announce", "weekdays", "months", "this_month",
                "last_month", "same_month"}
# a month named by publication's ("في 24 من الشهر الجاري") or by the one named before ("الشهر ذاته"): labels
# "mo:0", "mo:-1" and "mo:-2", resolved by `dates`
_RELATIVE_MONTHS = {"this_month": 0, "last_month": -1, "same_month": -2}


class IncidentVocabError(ValueError):
    """A vocabulary file that cannot be used, with the entry at fault."""


class Cue(NamedTuple):
    """One phrase found in the normalised text: ``label`` is "t:<type>", "w:<type>" (weak trigger),
    "r:<type>" (a word the type requires) or a cue name; offsets index the normalised text."""

    start: int
    end: int
    label: str


_KEY = itemgetter(0)  # of a hit
_new_cue = tuple.__new__  # builds a Cue in C (NamedTuple's own __new__ is a Python function)


class PhraseMatcher:
    """Whole-word phrases (Arabic clitics allowed in front, "*" for any ending) found in one pass."""

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        table: dict[str, list[tuple[str, bool]]] = {}
        for raw, label in entries:
            stem = raw.endswith("*")
            key = " ".join(normalize(raw.rstrip("*")).split())
            if key and (label, stem) not in table.setdefault(key, []):
                table[key].append((label, stem))
        # (Latin?, labels of a whole-word hit, labels of a hit inside a longer word)
        self.automaton = Automaton((key, (key.isascii(), tuple(label for label, _ in labels),
                                          tuple(label for label, stem in labels if stem)))
                                   for key, labels in table.items())

    def scan(self, norm: str) -> list[Cue]:
        """Every accepted hit in ``norm``, in text order (overlaps kept: callers resolve them)."""
        n = len(norm)
        out: list[Cue] = []
        hits, values = self.automaton.scan(norm)
        marks = word_marks(norm)  # marks[i]: norm[i].isalnum()
        # the keys of an automaton sharing the engine (see `Automaton.share`) have no value here: left out in C
        found = list(map(values.__getitem__, map(_KEY, hits)))
        for (_, start, end), value in zip(compress(hits, found), filter(None, found), strict=True):
            latin, whole_labels, stem_labels = value
            # a number glued to a word is another word ("قُتل18", "18قتيلاً"): the fold keeps them apart
            if start and marks[start - 1] and not _glued_number(marks[start - 1], marks[start]):
                if latin:
                    continue
                word_start = start
                while word_start > 0 and marks[word_start - 1]:
                    word_start -= 1
                    if start - word_start > _MAX_PREFIX:
                        break
                if norm[word_start:start] not in PREFIXES:
                    continue  # inside a longer word
            whole = end >= n or not marks[end] or _glued_number(marks[end - 1], marks[end])
            for label in whole_labels if whole else stem_labels:
                out.append(_new_cue(Cue, (start, end, label)))
        out.sort()
        return out


def _glued_number(before: int, after: int) -> bool:
    """Whether two characters of `word_marks` kinds ``before`` and ``after`` are a letter and a digit, in
    either order: where a word and a number written without a space meet."""
    return bool((before & ALPHA and after & DIGIT) or (before & DIGIT and after & ALPHA))


@dataclass(frozen=True, slots=True)
class IncidentVocab:
    """A validated vocabulary with its automaton; ``version`` is a hash of the file content."""

    matcher: PhraseMatcher
    trigger_labels: frozenset[str]  # "t:<type>" and "w:<type>" of every type
    date_labels: frozenset[str]  # the labels of words that name a day or month
    types_with_requires: frozenset[str]
    tokens: dict[str, Phrases]  # TOKEN_CUES -> normalised phrases (words joined by one space)
    not_place_before: frozenset[str]  # origin_before and place_source: a place after one is not the event's
    people_words: frozenset[str]  # person and people: a word naming one or more people
    goods_words: frozenset[str]  # not_people and goods: a word naming things, not people
    numbers: dict[str, int]  # count word -> value
    duals: frozenset[str]
    not_people: frozenset[str]
    today: frozenset[str]
    yesterday: frozenset[str]
    day_before_yesterday: frozenset[str]
    announce: frozenset[str]
    weekdays: dict[str, int]  # name -> Monday 0 .. Sunday 6
    months: dict[str, int]  # name -> 1..12
    version: str
    source: str

    @classmethod
    def load(cls, path: str | Path | None = None) -> IncidentVocab:
        """Read and validate a vocabulary file (None: the bundled default); raises `IncidentVocabError`."""
        where = Path(path) if path is not None else DEFAULT_PATH
        doc, digest = _load_doc(where, 0)
        return _build(doc, digest.hex()[:16], str(where))


def _load_doc(path: Path, depth: int) -> tuple[dict[str, Any], bytes]:
    """The merged document of ``path`` and the files it extends, and a hash of their contents."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise IncidentVocabError(f"{path}: cannot read the incident vocabulary: {e}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise IncidentVocabError(f"{path.name}: not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise IncidentVocabError(f"{path.name}: the document must be a mapping (types, cues, ...)")
    unknown = sorted(str(k) for k in doc if k not in _TOP_FIELDS)
    if unknown:
        raise IncidentVocabError(f"{path.name}: {unknown[0]}: unknown field (expected one of: "
                                 f"{', '.join(sorted(_TOP_FIELDS))})")
    digest = hashlib.sha256()
    if path.resolve() == DEFAULT_PATH.resolve():  # the bundled count words are the shared list's
        doc["numbers"] = number_words("counts")
        digest.update(NUMBERS_FILE.read_bytes())
    extends = doc.pop("extends", None)
    if extends is not None:
        if not isinstance(extends, str) or not extends.strip():
            raise IncidentVocabError(f"{path.name}: extends: must be 'default' or the path of a vocabulary file")
        if depth >= _MAX_EXTENDS:
            raise IncidentVocabError(f"{path.name}: extends: more than {_MAX_EXTENDS} files deep (a cycle?)")
        base_path = DEFAULT_PATH if extends.strip() == "default" else path.parent / extends.strip()
        base, base_digest = _load_doc(base_path, depth + 1)
        digest.update(base_digest)
        doc = _merge(base, doc, path.name)
    digest.update(text.encode("utf-8"))
    return doc, digest.digest()


def _merge(base: Any, extra: Any, where: str) -> Any:
    """``extra`` added to ``base``: mappings merged key by key, lists extended."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for k, v in extra.items():
            out[k] = _merge(base[k], v, f"{where}: {k}") if k in base else v
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [x for x in extra if x not in base]
    if extra is None:
        return base
    raise IncidentVocabError(f"{where}: cannot add a {type(extra).__name__} to a {type(base).__name__}")


def _phrases(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise IncidentVocabError(f"{where}: must be a list of non-empty phrases")
    for v in value:
        if isinstance(v, bool):
            raise IncidentVocabError(f"{where}: {str(v).lower()} is YAML's boolean: write the word in quotes "
                                     '("on", "no")')
        if not isinstance(v, str | int) or not str(v).strip():
            raise IncidentVocabError(f"{where}: must be a list of non-empty phrases")
    return [str(v) for v in value]


def _mapping(value: Any, where: str, allowed: set[str] | None = None) -> dict[Any, Any]:
    if value is None:
        return {}  # a part left out: nothing of that kind
    if not isinstance(value, dict):
        raise IncidentVocabError(f"{where}: must be a mapping")
    if allowed is not None:
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise IncidentVocabError(f"{where}.{unknown[0]}: unknown field (expected one of: "
                                     f"{', '.join(sorted(allowed))})")
    return value


def _keyed(value: Any, where: str, low: int, high: int) -> dict[str, int]:
    """{normalised phrase: int} from a mapping of int -> phrases, keys checked to lie in [low, high]."""
    out: dict[str, int] = {}
    for key, words in _mapping(value, where).items():
        if isinstance(key, bool) or not isinstance(key, int) or not low <= key <= high:
            raise IncidentVocabError(f"{where}.{key}: the key must be a whole number from {low} to {high}")
        for w in _phrases(words, f"{where}.{key}"):
            out[_norm(w)] = key
    return out


def _norm(phrase: str) -> str:
    return " ".join(normalize(phrase).split())


def _build(doc: dict[str, Any], version: str, source: str) -> IncidentVocab:
    """Validate the merged document and compile it."""
    name = Path(source).name
    types = _mapping(doc.get("types"), f"{name}: types")
    entries: list[tuple[str, str]] = []
    requires: set[str] = set()
    for type_id, spec in types.items():
        if type_id not in INCIDENT_TYPES:
            raise IncidentVocabError(f"{name}: types.{type_id}: not an incident type (expected one of: "
                                     f"{', '.join(INCIDENT_TYPES)})")
        spec = _mapping(spec, f"{name}: types.{type_id}", _TYPE_FIELDS)
        entries += [(p, f"t:{type_id}") for p in _phrases(spec.get("strong"), f"{name}: types.{type_id}.strong")]
        entries += [(p, f"w:{type_id}") for p in _phrases(spec.get("weak"), f"{name}: types.{type_id}.weak")]
        needed = _phrases(spec.get("requires"), f"{name}: types.{type_id}.requires")
        if needed:
            requires.add(type_id)
            entries += [(p, f"r:{type_id}") for p in needed]
    cues = _mapping(doc.get("cues"), f"{name}: cues", set(SCANNED_CUES) | set(TOKEN_CUES))
    numbers = _keyed(doc.get("numbers"), f"{name}: numbers", 0, 1000)
    duals = frozenset(_norm(p) for p in _phrases(doc.get("duals"), f"{name}: duals"))
    dates = _mapping(doc.get("dates"), f"{name}: dates", _DATE_FIELDS)
    weekdays = _keyed(dates.get("weekdays"), f"{name}: dates.weekdays", 0, 6)
    months = _keyed(dates.get("months"), f"{name}: dates.months", 1, 12)
    day_words = {field: frozenset(_norm(p) for p in _phrases(dates.get(field), f"{name}: dates.{field}"))
                 for field in ("today", "yesterday", "day_before_yesterday", "announce")}
    # Number and date words are found by the same pass (labels "n:<value>", "d:<field>", "wd:<n>", "mo:<n>").
    entries += [(w, f"n:{v}") for w, v in numbers.items()] + [(w, "n:2") for w in duals]
    entries += [(w, f"wd:{v}") for w, v in weekdays.items()] + [(w, f"mo:{v}") for w, v in months.items()]
    entries += [(w, f"d:{field}") for field, ws in day_words.items() for w in ws]
    entries += [(_norm(w), f"mo:{shift}") for field, shift in _RELATIVE_MONTHS.items()
                for w in _phrases(dates.get(field), f"{name}: dates.{field}")]
    for cue in SCANNED_CUES:
        entries += [(p, cue) for p in _phrases(cues.get(cue), f"{name}: cues.{cue}")]
    tokens = {cue: Phrases(_norm(p) for p in _phrases(cues.get(cue), f"{name}: cues.{cue}")) for cue in TOKEN_CUES}
    not_people = frozenset(_norm(p) for p in _phrases(doc.get("not_people"), f"{name}: not_people"))
    return IncidentVocab(
        matcher=PhraseMatcher(entries),
        trigger_labels=frozenset(label for _, label in entries if label[:2] in ("t:", "w:")),
        date_labels=frozenset(label for _, label in entries
                              if label.startswith(("wd:", "mo:")) or label in DAY_LABELS),
        types_with_requires=frozenset(requires),
        tokens=tokens,
        not_place_before=tokens["origin_before"] | tokens["place_source"],
        people_words=tokens["person"] | tokens["people"],
        goods_words=not_people | tokens["goods"],
        numbers=numbers,
        duals=duals,
        not_people=not_people,
        today=day_words["today"], yesterday=day_words["yesterday"],
        day_before_yesterday=day_words["day_before_yesterday"], announce=day_words["announce"],
        weekdays=weekdays, months=months,
        version=version, source=source,
    )
