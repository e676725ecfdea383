"""Does one article meet a story rule's conditions? Pure functions, with the reasons why.

Every condition a rule gives must hold in the article (topics, places,
organisations, countries, quantities, text); inside a condition, ``any``
means one of the listed values is enough and ``all`` that every one must be
there. The reasons ("quantity 3,000,000 pill captagon >= 1,000,000 (ثلاثة
ملايين حبة كبتاغون)") go into the alert's ``matched`` list, so an analyst sees
why it fired. Corroboration is a property of the story, not of one article:
`marsad.streams.alerts.engine` checks it.
"""

from __future__ import annotations

from marsad.schemas.events import ArticleProcessed
from marsad.schemas.facts import Place, Quantity, Topic
from marsad.streams.alerts.rules import WEIGHT_KG, PlaceMatcher, QuantityCond, StoryRule, TextTerm
from marsad.streams.geo import place_key
from marsad.streams.text.normalize import normalize


class ArticleView:
    """The facts of one article, indexed once for all the rules that look at it.

    What every article needs (topics, organisations, countries, places: the rule index and the spike
    scopes read them) is indexed at once; the reasons' wording and the text's matching form when a
    rule first asks. Plain attributes, not cached properties: the compiled module keeps them in slots.
    """

    def __init__(self, article: ArticleProcessed) -> None:
        self.article = article
        self.topics: dict[str, Topic] = {t.id: t for t in article.topics}
        self.orgs: dict[str, str] = {o.id: o.name for o in article.orgs}
        self.countries: frozenset[str] = frozenset(article.countries)
        self.places: list[tuple[str, Place]] = [(place_key(p.geonameid, p.lat, p.lon), p) for p in article.places]
        self._reasons: dict[str, str] | None = None
        self._norm: str | None = None
        self._found: dict[str, str | None] = {}
        self._held: dict[float, dict[str, Topic]] = {}

    def topic_reason(self, topic_id: str) -> str:
        reasons = self._reasons
        if reasons is None:
            reasons = self._reasons = {}
            for t in self.article.topics:
                terms = list(dict.fromkeys(e.text for e in t.evidence))[:4]
                reasons[t.id] = f"topic {t.id} ({t.score:.2f}" + (f": {', '.join(terms)})" if terms else ")")
        return reasons[topic_id]

    @property
    def norm_text(self) -> str:
        """The matching form of title and text (see `marsad.streams.text.normalize`)."""
        norm = self._norm
        if norm is None:
            norm = self._norm = normalize(f"{self.article.title}\n{self.article.clean_text}")
        return norm

    def find(self, term: TextTerm) -> str | None:
        """``term.search`` in the article's text, once for all the rules that name the term
        (a term is made from what the user wrote alone, so that is its key)."""
        found = self._found
        if term.term in found:
            return found[term.term]
        word = found[term.term] = term.search(self.norm_text)
        return word

    def held(self, min_score: float) -> dict[str, Topic]:
        """The article's topics scored at least ``min_score``, once for all the rules that ask."""
        held = self._held.get(min_score)
        if held is None:
            held = self._held[min_score] = {tid: t for tid, t in self.topics.items() if t.score >= min_score}
        return held


def match_story_rule(rule: StoryRule, view: ArticleView) -> list[str] | None:
    """The reasons ``rule`` matches the article, or None when one of its conditions fails."""
    reasons: list[str] = []
    for condition in rule.conditions:
        found = _CHECKS[condition](rule, view)
        if found is None:
            return None
        reasons.extend(found)
    return reasons


def _topics(rule: StoryRule, view: ArticleView) -> list[str] | None:
    if not (rule.topics_any or rule.topics_all):
        return []
    held = view.held(rule.min_score)
    if rule.topics_all and not all(t in held for t in rule.topics_all):
        return None
    found = [held[t] for t in rule.topics_all]
    if rule.topics_any:
        anyof = [held[t] for t in rule.topics_any if t in held]
        if not anyof:
            return None
        found += [t for t in anyof if t not in found]
    return [view.topic_reason(t.id) for t in found]


def _orgs(rule: StoryRule, view: ArticleView) -> list[str] | None:
    if not rule.orgs:
        return []
    hits = sorted(view.orgs.keys() & rule.orgs)
    return [f"organisation {o} ({view.orgs[o]})" for o in hits] or None


def _countries(rule: StoryRule, view: ArticleView) -> list[str] | None:
    if not rule.countries:
        return []
    hits = sorted(rule.countries & view.countries)
    return [f"country {c}" for c in hits] or None


def _places(rule: StoryRule, view: ArticleView) -> list[str] | None:
    if not rule.places:
        return []
    hits = [(p, m) for key, p in view.places for m in rule.places if place_matches(m, key, p)]
    return [f"place {p.name} ({p.lat:.4f}, {p.lon:.4f}) {m.label if not m.keys else ''}".rstrip()
            for p, m in hits] or None


def place_matches(m: PlaceMatcher, key: str, p: Place) -> bool:
    return m.matches(key, p.lat, p.lon, p.country)


def _quantities(rule: StoryRule, view: ArticleView) -> list[str] | None:
    if not rule.quantities:
        return []
    hits = [(q, c) for q in view.article.quantities for c in rule.quantities if quantity_meets(q, c)]
    return [f"quantity {q.value:,.0f} {q.unit}{' ' + q.item if q.item else ''} >= {c.min:,.0f} {c.unit}"
            + (f" ({q.text})" if q.text else "") for q, c in hits] or None


def quantity_meets(q: Quantity, c: QuantityCond) -> bool:
    """Same item (when the condition names one) and at least the minimum; weights compare across g/kg/ton.
    A quantity the article recalls from the past (``historical``) is no news and meets nothing."""
    if q.historical or (c.item is not None and q.item != c.item):
        return False
    if q.unit == c.unit:
        return q.value >= c.min
    if q.unit in WEIGHT_KG and c.unit in WEIGHT_KG:
        return q.value * WEIGHT_KG[q.unit] >= c.min * WEIGHT_KG[c.unit]
    return False


def _text(rule: StoryRule, view: ArticleView) -> list[str] | None:
    if not (rule.text_any or rule.text_all):
        return []
    found = []
    for term in rule.text_all:
        word = view.find(term)
        if word is None:
            return None
        found.append(f"text {term.term!r} ({word})")
    if rule.text_any:
        hits = [(t, word) for t in rule.text_any if (word := view.find(t)) is not None]
        if not hits:
            return None
        found += [f"text {t.term!r} ({word})" for t, word in hits]
    return found


_CHECKS = {"orgs": _orgs, "countries": _countries, "quantities": _quantities, "topics": _topics,
           "places": _places, "text": _text}  # `rules.CONDITIONS` says in which order
