"""The wire's typed vocabularies and formats, declared once.

Each ``Literal`` types its event field (so the decoder refuses any other value),
and the tuple beside it is what the JSON Schemas, the OpenAPI description, the
rules' checks and the CLI choices list. Adding a value here adds it everywhere.
`Timestamp` and `Base64` carry the JSON Schema format the decoder enforces, so a
payload that passes the schema passes the decoder and the other way round.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

import msgspec

Severity = Literal["critical", "warning", "info"]
SEVERITIES: tuple[str, ...] = get_args(Severity)  # most urgent first

AlertKind = Literal["story", "spike", "incident"]
ALERT_KINDS: tuple[str, ...] = get_args(AlertKind)

DuplicateStatus = Literal["original", "exact", "near"]
DUPLICATE_STATUSES: tuple[str, ...] = get_args(DuplicateStatus)

Origin = Literal["page", "feed", "import", "telegram"]  # where an ArticleFetched's text came from
ORIGINS: tuple[str, ...] = get_args(Origin)

# How a source of the feed registry is read (its `kind`).
FeedKind = Literal["rss", "sitemap", "page", "telegram"]
FEED_KINDS: tuple[str, ...] = get_args(FeedKind)
# The kind of source an article was discovered in: a feed registry's kind, or "import" for `marsad import`.
# Origin says where the *text* came from; the kind says what was polled (a sitemap's article and a section
# page's article both have origin "page").
SourceKind = Literal[FeedKind, "import"]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
# A revision of an article whose source changed it after it was first announced (an edited Telegram post):
# 1 is the first version announced, each further one counts up.
Revision = Annotated[int, msgspec.Meta(ge=1)]

# The incident types of ../shared/spec/incidents.md, in the spec's order.
IncidentType = Literal["armed_clash", "attack", "airstrike", "arrest_raid", "seizure",
                       "kidnapping", "protest", "displacement", "strategic"]
INCIDENT_TYPES: tuple[str, ...] = get_args(IncidentType)

# Where a topic's evidence was found in the article.
EvidenceField = Literal["title", "body"]
EVIDENCE_FIELDS: tuple[str, ...] = get_args(EvidenceField)

# How a raw page's bytes are compressed.
Compression = Literal["zlib"]

# The stage that wrote a dead letter: the fetcher, `marsad import`, the stream worker, the views,
# the alerter, the webhook delivery.
DeadLetterStage = Literal["fetch", "import", "process", "views", "alerts", "deliver"]
DEAD_LETTER_STAGES: tuple[str, ...] = get_args(DeadLetterStage)

# A moment on the wire: RFC 3339 with its offset ("2024-02-08T10:00:00Z"). A naive
# time is refused, as JSON Schema's `date-time` format refuses it.
Timestamp = Annotated[datetime, msgspec.Meta(tz=True, extra_json_schema={"format": "date-time"})]

# A calendar day, as incidents date their events.
Day = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
# A count of people (killed, injured, arrested) or of outlets: never negative.
Count = Annotated[int, msgspec.Meta(ge=0)]

# Bytes on the wire: standard base64 with its padding, as the decoder reads it.
Base64 = Annotated[bytes, msgspec.Meta(extra_json_schema={
    "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"})]
