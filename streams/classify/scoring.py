"""Topic assignment: weighted term evidence with diminishing returns.

For each topic, every distinct term found counts its weight once, and each
further occurrence of the same term counts ``repeat_decay`` times the one
before (0.4 by default: 1, 0.4, 0.16 ...), so repeating one word saturates
quickly while different words add up. A term found in the title adds
``title_bonus`` times its weight once more. The mass becomes a score with
``1 - exp(-mass)`` and the topic is assigned when the score reaches its
threshold (0.5 by default, i.e. a mass of about 0.69).

With the default levels (strong 1.0, medium 0.4, weak 0.15) one strong term
assigns a topic; a medium term, however often repeated, does not on its own
(0.4 / 0.6 < 0.69) but two different ones do; weak terms only tip a topic
that already has other evidence. That is the point of the levels: "كبتاغون"
alone says narcotics, "الحدود" alone says nothing.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import Literal

from marsad.schemas.facts import Evidence, Topic
from marsad.streams.classify.matcher import Match
from marsad.streams.classify.parse import Scoring
from marsad.streams.classify.taxonomy import Taxonomy
from marsad.streams.text.normalize import SourceMap

BODY: Literal["body"] = "body"
TITLE: Literal["title"] = "title"
_WORD_START = attrgetter("word_start")  # a C key function: evidence is sorted for every topic of every article


# term as written -> [weight, occurrences, first match], per topic id
_Hits = dict[str, dict[str, list]]


def _gather(matches: list[Match], hits: _Hits) -> None:
    for m in matches:
        entry = m.entry
        terms = hits.get(entry.id)
        if terms is None:
            terms = hits[entry.id] = {}
        hit = terms.get(entry.term.text)
        if hit is None:
            terms[entry.term.text] = [entry.weight, 1, m]
        else:
            hit[1] += 1


def _mass(body: dict[str, list], title: dict[str, list], scoring: Scoring) -> float:
    # Plain loops rather than sum() over generators (this runs for every topic of every
    # article); the additions come in the same order, so the floats are the same.
    d = scoring.repeat_decay
    mass = 0.0
    for w, n, _ in body.values():
        mass += w * (1.0 - d**n) / (1.0 - d)
    bonus = 0.0
    for w, _, _ in title.values():
        bonus += w
    return mass + scoring.title_bonus * bonus


def _evidence(hits: dict[str, list], where: Literal["title", "body"], text: SourceMap | str) -> list[Evidence]:
    """The first occurrence of each term, in text order."""
    firsts = sorted((m for _, _, m in hits.values()), key=_WORD_START)
    if isinstance(text, SourceMap):
        return [Evidence(m.entry.term.text, text.span(m.word_start, m.word_end), m.word_start, where) for m in firsts]
    return [Evidence(m.entry.term.text, text[m.word_start:m.word_end], m.word_start, where) for m in firsts]


def classify(norm_text: str, taxonomy: Taxonomy, title_norm: str = "", *,
             text: str | None = None, title_text: str | None = None) -> list[Topic]:
    """The topics of an article, best first, each with its score in (0, 1] and evidence.

    ``norm_text`` and ``title_norm`` are in matching form (`normalize`);
    offsets in the evidence index them. When ``text``/``title_text``
    (the texts they were normalised from) are given, evidence text is quoted
    as written there; otherwise in matching form. Only assigned topics are
    returned; an off-topic article gets an empty list.
    """
    title_matches = taxonomy.matcher.find(title_norm, orgs=False) if title_norm else []
    return score_topics(taxonomy.matcher.find(norm_text, orgs=False), title_matches, taxonomy,
                        (norm_text, text), (title_norm, title_text))


def score_topics(body_matches: list[Match], title_matches: list[Match], taxonomy: Taxonomy,
                 body: tuple[str, str | None], title: tuple[str, str | None], *,
                 body_map: SourceMap | None = None) -> list[Topic]:
    """Assigned topics from the topic evidence matched in the body and the title.

    ``body`` and ``title`` are (normalised text, text as written or None), for quoting evidence;
    ``body_map``, when given, is the `SourceMap` of ``body`` (shared with `orgs_from`).
    """
    in_body: _Hits = {}
    in_title: _Hits = {}
    _gather(body_matches, in_body)
    _gather(title_matches, in_title)
    scoring = taxonomy.scoring
    # One map per text for all topics (SourceMap works out its offsets once, on first use).
    quoted: list[tuple[Literal["title", "body"], SourceMap | str]] = [
        (TITLE, _quotable(title)), (BODY, body_map or _quotable(body))]
    topics = []
    for topic_id in in_body.keys() | in_title.keys():
        body_hits, title_hits = in_body.get(topic_id, {}), in_title.get(topic_id, {})
        score = 1.0 - math.exp(-_mass(body_hits, title_hits, scoring))
        if score < (taxonomy.topics[topic_id].threshold or scoring.threshold):
            continue
        evidence = []
        for hits, (where, text) in zip((title_hits, body_hits), quoted, strict=True):
            if hits:
                evidence += _evidence(hits, where, text)
        topics.append(Topic(id=topic_id, score=min(1.0, round(score, 3)), evidence=evidence))
    topics.sort(key=lambda t: (-t.score, t.id))
    return topics


def _quotable(texts: tuple[str, str | None]) -> SourceMap | str:
    """What evidence is quoted from: the text as written through its map, else the matching form."""
    norm, src = texts
    return SourceMap(src, norm) if src is not None else norm
