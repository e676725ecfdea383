"""Reading a taxonomy document: YAML in, validated specs out.

The format is described at the top of the bundled ``taxonomy.yaml``. Every
problem is reported as a `TaxonomyError` whose message names the file, the
entry and the field ("taxonomy.yaml: orgs.ndf.forms[1].preceded_by: ..."), so
a user editing their own taxonomy can find the line to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from marsad.streams.classify.terms import Context, Term, is_arabic, make_key, matching_words

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_FIELDS = {"extends", "scoring", "suffixes", "topics", "orgs"}
_TOPIC_FIELDS = {"name", "threshold", "terms"}
_ORG_FIELDS = {"name", "forms", "topics"}
_SCORING_FIELDS = {"levels", "repeat_decay", "title_bonus", "threshold"}
_CONTEXT_FIELDS = ("preceded_by", "not_preceded_by", "followed_by", "not_followed_by")
_TERM_FIELDS = {"term", "exact", "with_orgs", *_CONTEXT_FIELDS}
_MIN_SUFFIXED = 4  # letters an Arabic word needs before it may carry a suffix


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used, with the entry and field at fault."""


@dataclass(frozen=True, slots=True)
class Scoring:
    """How term hits become a topic score (see `marsad.streams.classify.scoring`)."""

    levels: dict[str, float]
    repeat_decay: float
    title_bonus: float
    threshold: float


@dataclass(frozen=True, slots=True)
class TaxonomyTopicSpec:
    id: str
    name: str
    threshold: float | None
    terms: tuple[tuple[Term, float], ...]


@dataclass(frozen=True, slots=True)
class OrgSpec:
    id: str
    name: str
    forms: tuple[Term, ...]
    topics: tuple[tuple[str, float], ...]  # (topic id, weight) each mention counts towards


@dataclass(frozen=True, slots=True)
class TaxonomySpec:
    scoring: Scoring
    suffixes: dict[str, frozenset[str]]  # "arabic" / "latin" -> endings a term may carry
    topics: dict[str, TaxonomyTopicSpec] = field(default_factory=dict)
    orgs: dict[str, OrgSpec] = field(default_factory=dict)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (YAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = key_node.value
            if key in seen:
                raise TaxonomyError(f"line {key_node.start_mark.line + 1}: {key!r} is written twice")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(text: str, source: str) -> dict[str, Any]:
    """Parse a taxonomy document into a mapping, or raise `TaxonomyError`."""
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)
    except TaxonomyError as e:
        raise TaxonomyError(f"{source}: {e}") from None
    except yaml.YAMLError as e:
        raise TaxonomyError(f"{source}: not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise TaxonomyError(f"{source}: the document must be a mapping with topics and orgs")
    return doc


class _Reader:
    """Walks one document, keeping its name for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str) -> TaxonomyError:
        return TaxonomyError(f"{self.source}: {path}: {problem}")

    def mapping(self, value: Any, path: str, allowed: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be a mapping")
        if allowed is not None:
            unknown = sorted(str(k) for k in value if k not in allowed)
            if unknown:
                raise self.fail(f"{path}.{unknown[0]}", f"unknown field (expected one of: {', '.join(sorted(allowed))})")
        return value

    def strings(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(path, "must be a list of non-empty strings")
        return value

    def number(self, value: Any, path: str, low: float, high: float, *, low_open: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, "must be a number")
        if value > high or value < low or (low_open and value == low):
            raise self.fail(path, f"must be {'above' if low_open else 'at least'} {low} and at most {high}")
        return float(value)

    def ident(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(path, f"id {value!r} must be lower-case ASCII letters, digits and _")
        return value

    def unique(self, terms: list[tuple[str, Term]]) -> None:
        """Refuse two terms of one topic, or two forms of any orgs, that match the same words."""
        seen: dict[str, tuple[str, Term]] = {}
        for path, term in terms:
            if term.key in seen:
                other_path, other = seen[term.key]
                raise self.fail(path, f"{term.text!r} matches the same words as {other.text!r} ({other_path})")
            seen[term.key] = (path, term)

    # --- parts of the document ------------------------------------------------

    def scoring(self, value: Any, base: Scoring | None) -> Scoring:
        doc = self.mapping(value if value is not None else {}, "scoring", _SCORING_FIELDS)
        levels = dict(base.levels) if base else {}
        raw_levels = self.mapping(doc.get("levels", {}), "scoring.levels")
        for name, weight in raw_levels.items():
            levels[self.ident(name, f"scoring.levels.{name}")] = self.number(
                weight, f"scoring.levels.{name}", 0.0, 10.0, low_open=True)
        if not levels:
            raise self.fail("scoring.levels", "must name at least one weight level (e.g. strong: 1.0)")
        get = doc.get
        return Scoring(
            levels=levels,
            repeat_decay=self.number(get("repeat_decay", base.repeat_decay if base else 0.4),
                                     "scoring.repeat_decay", 0.0, 0.95),
            title_bonus=self.number(get("title_bonus", base.title_bonus if base else 1.0),
                                    "scoring.title_bonus", 0.0, 10.0),
            threshold=self.number(get("threshold", base.threshold if base else 0.5),
                                  "scoring.threshold", 0.0, 1.0, low_open=True),
        )

    def suffixes(self, value: Any, base: dict[str, frozenset[str]] | None) -> dict[str, frozenset[str]]:
        out = dict(base) if base else {"arabic": frozenset(), "latin": frozenset()}
        doc = self.mapping(value if value is not None else {}, "suffixes", {"arabic", "latin"})
        for script, endings in doc.items():
            words = [matching_words(e) for e in self.strings(endings, f"suffixes.{script}")]
            bad = next((e for e, w in zip(endings, words, strict=True) if not w.isalnum()), None)
            if bad is not None:
                raise self.fail(f"suffixes.{script}", f"{bad!r} is not a single word ending")
            out[script] = frozenset(words)
        return out

    def term(self, item: Any, path: str, *, org_form: bool) -> Term:
        if isinstance(item, str):
            item = {"term": item}
        doc = self.mapping(item, path, _TERM_FIELDS)
        text = doc.get("term")
        if not isinstance(text, str) or not text.strip():
            raise self.fail(f"{path}.term", "must be a non-empty string")
        key, article = make_key(text)
        if not any(c.isalnum() for c in key):
            raise self.fail(f"{path}.term", f"{text!r} has no letters or digits to match")
        exact = doc.get("exact", False)
        if not isinstance(exact, bool):
            raise self.fail(f"{path}.exact", "must be true or false")
        context = None
        if any(name in doc for name in _CONTEXT_FIELDS):
            sets = {}
            for name in _CONTEXT_FIELDS:
                words = self.strings(doc.get(name, []), f"{path}.{name}")
                keys = {matching_words(w) for w in words}
                if not all(k.isalnum() for k in keys):
                    raise self.fail(f"{path}.{name}", "context entries must be single words")
                sets[name] = frozenset(keys)
            context = Context(**sets)
        with_orgs = frozenset(self.strings(doc.get("with_orgs", []), f"{path}.with_orgs"))
        if with_orgs and not org_form:
            raise self.fail(f"{path}.with_orgs", "only organisation forms can require other organisations")
        # A suffix on a short Arabic word reads too easily into another word
        # (و + زار + ة is "وزارة", not a visit): only words of 4+ letters take one.
        last = key.rsplit(" ", 1)[-1]
        suffixes = not exact and (len(last) >= _MIN_SUFFIXED or not is_arabic(last))
        return Term(text=text.strip(), key=key, article=article, suffixes=suffixes,
                    context=context, with_orgs=with_orgs)

    def topic(self, tid: str, value: Any, scoring: Scoring,
              base: TaxonomyTopicSpec | None) -> TaxonomyTopicSpec:
        path = f"topics.{tid}"
        doc = self.mapping(value, path, _TOPIC_FIELDS)
        name = doc.get("name", base.name if base else tid)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{path}.name", "must be a non-empty string")
        threshold = base.threshold if base else None
        if "threshold" in doc:
            threshold = self.number(doc["threshold"], f"{path}.threshold", 0.0, 1.0, low_open=True)
        terms = list(base.terms) if base else []
        paths = [f"{path}.terms (extended)"] * len(terms)
        levels = self.mapping(doc.get("terms", {}), f"{path}.terms")
        for level, items in levels.items():
            if level not in scoring.levels:
                raise self.fail(f"{path}.terms.{level}",
                                f"unknown level (scoring.levels has: {', '.join(scoring.levels)})")
            if not isinstance(items, list):
                raise self.fail(f"{path}.terms.{level}", "must be a list of terms")
            weight = scoring.levels[level]
            for i, item in enumerate(items):
                paths.append(f"{path}.terms.{level}[{i}]")
                terms.append((self.term(item, paths[-1], org_form=False), weight))
        if not terms:
            raise self.fail(f"{path}.terms", "a topic needs at least one term")
        self.unique([(where, term) for where, (term, _) in zip(paths, terms, strict=True)])
        return TaxonomyTopicSpec(id=tid, name=name.strip(), threshold=threshold, terms=tuple(terms))

    def org(self, oid: str, value: Any, scoring: Scoring, base: OrgSpec | None) -> OrgSpec:
        path = f"orgs.{oid}"
        doc = self.mapping(value, path, _ORG_FIELDS)
        name = doc.get("name", base.name if base else None)
        if not isinstance(name, str) or not name.strip():
            raise self.fail(f"{path}.name", "must be a non-empty string")
        items = doc.get("forms", [])
        if not isinstance(items, list):
            raise self.fail(f"{path}.forms", "must be a list of forms")
        forms = list(base.forms) if base else []
        forms += [self.term(item, f"{path}.forms[{i}]", org_form=True) for i, item in enumerate(items)]
        if not forms:
            raise self.fail(f"{path}.forms", "an organisation needs at least one form")
        topics = dict(base.topics) if base else {}
        for topic, level in self.mapping(doc.get("topics", {}), f"{path}.topics").items():
            if level not in scoring.levels:
                raise self.fail(f"{path}.topics.{topic}",
                                f"unknown level {level!r} (scoring.levels has: {', '.join(scoring.levels)})")
            topics[topic] = scoring.levels[level]
        return OrgSpec(id=oid, name=name.strip(), forms=tuple(forms), topics=tuple(topics.items()))


def parse(doc: dict[str, Any], source: str, base: TaxonomySpec | None = None) -> TaxonomySpec:
    """Validate a taxonomy document, on top of ``base`` when it extends one.

    Extending adds: a topic or organisation id already in ``base`` keeps its
    terms and forms and gains the new ones (name and threshold are replaced
    when given); new ids are added; scoring and suffix settings given here
    replace the base's.
    """
    r = _Reader(source)
    r.mapping(doc, "top level", _TOP_FIELDS)
    scoring = r.scoring(doc.get("scoring"), base.scoring if base else None)
    suffixes = r.suffixes(doc.get("suffixes"), base.suffixes if base else None)
    topics = dict(base.topics) if base else {}
    for tid, value in r.mapping(doc.get("topics", {}), "topics").items():
        r.ident(tid, f"topics.{tid}")
        topics[tid] = r.topic(tid, value, scoring, topics.get(tid))
    orgs = dict(base.orgs) if base else {}
    for oid, value in r.mapping(doc.get("orgs", {}), "orgs").items():
        r.ident(oid, f"orgs.{oid}")
        orgs[oid] = r.org(oid, value, scoring, orgs.get(oid))
    if not topics and not orgs:
        raise r.fail("top level", "a taxonomy needs topics or orgs")
    r.unique([(f"orgs.{org.id}.forms[{i}]", form) for org in orgs.values() for i, form in enumerate(org.forms)])
    for org in orgs.values():
        for topic, _ in org.topics:
            if topic not in topics:
                raise r.fail(f"orgs.{org.id}.topics.{topic}", "no such topic in this taxonomy")
        for i, form in enumerate(org.forms):
            missing = sorted(form.with_orgs - orgs.keys())
            if missing:
                raise r.fail(f"orgs.{org.id}.forms[{i}].with_orgs", f"no such organisation: {missing[0]}")
    return TaxonomySpec(scoring=scoring, suffixes=suffixes, topics=topics, orgs=orgs)
