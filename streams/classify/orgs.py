"""Organisations mentioned in an article, each once, resolved to taxonomy ids.

Forms are matched by the taxonomy's automaton (see `marsad.streams.classify.matcher`);
overlapping forms resolve to the longest ("كتائب حزب الله" is
kataib_hezbollah, not hezbollah), context words rule out the wrong readings
("قانون تفويض الدفاع الوطني" is not the NDF militia), and a form marked
``with_orgs`` counts only when one of those organisations is also named by
a form that needs nothing else.
"""

from __future__ import annotations

import re

from marsad.schemas.facts import Org
from marsad.streams.classify.matcher import Match
from marsad.streams.classify.taxonomy import Taxonomy
from marsad.streams.text.normalize import SourceMap

_ARTICLE = "ال"
_QUOTES = re.compile(r"[\"'“”„«»‘’`_]")  # and the underscores of hashtags ("#الحشد_الشعبي")


def find_orgs(norm_text: str, taxonomy: Taxonomy, *, text: str | None = None) -> list[Org]:
    """Each organisation found in ``norm_text`` once, in order of first mention.

    ``name`` is the first mention without clitic prefixes or suffixes, quoted
    from ``text`` (the text ``norm_text`` was normalised from) when given,
    else in matching form; ``mentions`` counts every mention.
    """
    return orgs_from(taxonomy.matcher.find(norm_text, orgs=True), norm_text, text)


def orgs_from(matches: list[Match], norm_text: str, text: str | None, *,
              written: SourceMap | None = None) -> list[Org]:
    """Organisations from the form matches of one text, each once, in order of first mention.

    ``written``, when given, is the `SourceMap` of ``text`` to ``norm_text`` (shared with the topics).
    """
    plain = {m.entry.id for m in matches if not m.entry.term.with_orgs}
    first: dict[str, Match] = {}
    counts: dict[str, int] = {}
    for m in matches:
        needs = m.entry.term.with_orgs
        if needs and not needs & plain:
            continue
        first.setdefault(m.entry.id, m)
        counts[m.entry.id] = counts.get(m.entry.id, 0) + 1
    if written is None and text is not None:
        written = SourceMap(text, norm_text)
    orgs = []
    for org_id, m in first.items():
        name = written.span(m.name_start, m.end) if written is not None else norm_text[m.name_start:m.end]
        name = " ".join(_QUOTES.sub(" ", name).split())  # حزب الله" اللبناني -> حزب الله اللبناني
        if m.article_dropped:
            name = _ARTICLE + name
        orgs.append(Org(id=org_id, name=name, mentions=counts[org_id]))
    return orgs
