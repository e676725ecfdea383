"""Reports: one incident of one article, with what the fold needs to know about the article.

A `ReportNote` (declared in `marsad.schemas.notes`) rides on the alerter's internal
topic ``streams.alert-incidents`` keyed by its ``scope`` (incident type and
country), and is counted into the tally of the open incident it joined (its event lists it once).
Everything the fold decides on is in the note, so the fold never looks at the article again.

Why the scope is the partition key: reports that may fuse must meet in one
partition, with the state of the incidents they may join. Fusion only ever
joins reports of the same type, and places within 25 km or inside the same
governorate, which in this region is the same country (the one exception, a
border town reported under its neighbour across the border, stays two
incidents). Type and country are known for every report (a report without a
place takes the article's country when the article names only one), and they
spread the reports over partitions without splitting candidates.
"""

from __future__ import annotations

from datetime import datetime

from marsad.schemas.events import ArticleProcessed
from marsad.schemas.facts import Incident
from marsad.schemas.notes import ReportNote


def scope_of(incident: Incident, countries: list[str]) -> str:
    """The partition key of a report: its type and country (the place's, else the article's only one)."""
    if incident.place is not None:
        country = incident.place.country
    else:
        country = countries[0] if len(countries) == 1 else ""
    return f"{incident.type}|{country}"


def reports_of(article: ArticleProcessed, *, at: datetime, source: str) -> list[ReportNote]:
    """One note per incident of ``article``; ``at`` is its event time, ``source`` its outlet."""
    dup = article.duplicate
    root = dup.first_id if dup.status != "original" and dup.first_id else article.article_id
    return [ReportNote(f"{article.article_id}#{n}", scope_of(incident, article.countries), incident,
                       article.article_id, root, source, at.timestamp(), article.event_id, article.occurred_at,
                       article.url, article.title, article.published, article.lang)
            for n, incident in enumerate(article.incidents)]
