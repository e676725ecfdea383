"""Topics and organisations of one article from a single pass of the automaton.

`classify` and `find_orgs` each scan the text; a stage that wants both calls
`topics_and_orgs`, which scans once and gives the same results.
"""

from __future__ import annotations

from marsad.schemas.facts import Org, Topic
from marsad.streams.classify.matcher import Match
from marsad.streams.classify.orgs import orgs_from
from marsad.streams.classify.scoring import score_topics
from marsad.streams.classify.taxonomy import Taxonomy
from marsad.streams.text.normalize import SourceMap


def topics_and_orgs(norm_text: str, taxonomy: Taxonomy, title_norm: str = "", *,
                    text: str | None = None, title_text: str | None = None,
                    written: SourceMap | None = None) -> tuple[list[Topic], list[Org]]:
    """``(classify(...), find_orgs(...))`` of an article, for the price of one scan of its body.

    ``written``, when the caller has it, is the `SourceMap` of ``text`` to ``norm_text``.
    """
    topics, orgs, _ = topics_orgs_and_mentions(norm_text, taxonomy, title_norm, text=text, title_text=title_text,
                                               written=written)
    return topics, orgs


def topics_orgs_and_mentions(norm_text: str, taxonomy: Taxonomy, title_norm: str = "", *,
                             text: str | None = None, title_text: str | None = None,
                             written: SourceMap | None = None) -> tuple[list[Topic], list[Org], list[Match]]:
    """`topics_and_orgs`, with the organisation matches of the body as well (offsets in ``norm_text``):
    the incident coder reads from where each organisation is named who did what, without a second scan."""
    topic_matches, org_matches = taxonomy.matcher.scan(norm_text)
    title_matches = taxonomy.matcher.find(title_norm, orgs=False) if title_norm else []
    if written is None and text is not None:
        written = SourceMap(text, norm_text)
    topics = score_topics(topic_matches, title_matches, taxonomy, (norm_text, text), (title_norm, title_text),
                          body_map=written)
    return topics, orgs_from(org_matches, norm_text, text, written=written), org_matches
