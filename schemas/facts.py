"""The facts a processed article carries: topics, places, organisations, quantities.

These small records are what the stream stages return and what
`ArticleProcessed` carries on the wire, so there is one definition of each.
Field names follow ../shared/spec/classify-contract.md.
"""

from __future__ import annotations

import msgspec

from marsad.schemas.wire import Count, Day, EvidenceField, IncidentType


class Evidence(msgspec.Struct, frozen=True, omit_defaults=True):
    """One matched term: the taxonomy term, the text as written, and where."""

    term: str
    text: str
    start: int  # offset in the normalised clean text
    field: EvidenceField = "body"


class Topic(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    score: float
    evidence: list[Evidence] = []


class Place(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str  # surface name as written in the article
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2
    kind: str = ""  # city, village, camp, crossing, airport, governorate...
    geonameid: int | None = None
    mentions: int = 1


class Org(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str  # taxonomy organisation id, e.g. "sdf"
    name: str  # surface name as written
    mentions: int = 1


class Quantity(msgspec.Struct, frozen=True, omit_defaults=True):
    value: float
    unit: str  # pill, kg, g, ton, liter, USD, EUR, SYP, IQD
    item: str | None = None  # drug kind for drug quantities, None for money
    text: str = ""  # the phrase as written
    # Reported as history (an earlier seizure recalled for context, "العام الماضي", "in March
    # 2023"), not as the news of the day: still a fact of the article, but no seizure ledger
    # counts it as the article's. Omitted on the wire when False, so older events read the same.
    historical: bool = False


class Incident(msgspec.Struct, frozen=True, omit_defaults=True):
    """One security event an article reports (../shared/spec/incidents.md).

    ``date`` is the event's own day (YYYY-MM-DD) or None when unknown; ``place`` the
    most precise named location or None. Counts are None when the article gives no
    number (None is not 0). ``quantities`` are the article's seizure quantities that
    belong to this event. ``evidence`` is the sentence of the clean text that reports it.
    """

    type: IncidentType
    evidence: str
    date: Day | None = None
    place: Place | None = None
    actors: list[str] = []  # organisation ids: who carried it out
    targets: list[str] = []  # organisation ids: whom it targeted
    killed: Count | None = None
    injured: Count | None = None
    arrested: Count | None = None
    quantities: list[Quantity] = []
