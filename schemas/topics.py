"""The topic catalogue: every topic marsad uses, with its partitions and configs.

Topic names are ``{prefix}.{name}`` (prefix ``marsad`` by default, so tests
and several installations can share a cluster). The article topics are the
source of truth and retain forever; every view is rebuilt by replaying them.
Keys are article ids, so all events of one article land in one partition, in
order; alert topics are keyed by rule id, so all alerts of one rule do; the
incidents topic by incident id, so all revisions of one incident do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marsad.schemas.wire import SEVERITIES

FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}
# Raw pages ride along in ArticleFetched (compressed and capped): allow 8 MiB messages.
MESSAGE_BYTES = 8 * 1024 * 1024
LARGE = {"max.message.bytes": str(MESSAGE_BYTES)}
# A record holding a batch (the worker's trips and drafts, the alerter's notes) is split past half a message.
RECORD_BYTES = MESSAGE_BYTES // 2
WEEKS_4 = str(28 * 24 * 3600 * 1000)
ALERT_EVENTS = ("AlertRaised", "AlertUpdated")
INCIDENT_EVENTS = ("IncidentRecorded", "IncidentUpdated")


@dataclass(frozen=True)
class TopicSpec:
    name: str  # without the prefix
    events: tuple[str, ...]  # event types published on it
    key: str
    description: str
    partitions: int | None = None  # None: the configured default
    configs: dict[str, str] = field(default_factory=dict)


CATALOGUE: tuple[TopicSpec, ...] = (
    TopicSpec("articles.discovered", ("ArticleDiscovered",), "article_id",
              "Feed entries seen for the first time; read back to know what was already published.",
              configs=FOREVER),
    TopicSpec("articles.fetched", ("ArticleFetched",), "article_id",
              "Extracted articles with their raw page: the source of truth.",
              configs={**FOREVER, **LARGE, "compression.type": "producer"}),
    TopicSpec("articles.processed", ("ArticleProcessed",), "article_id",
              "Clean text, topics, places, organisations, quantities, duplicate verdict.",
              configs={**FOREVER, **LARGE}),
    TopicSpec("alerts", ALERT_EVENTS, "rule_id",
              "Every alert raised and updated, all severities.", configs=FOREVER),
    TopicSpec("alerts.critical", ALERT_EVENTS, "rule_id",
              "Critical alerts only: subscribe here to be told at once.", configs=FOREVER),
    TopicSpec("alerts.warning", ALERT_EVENTS, "rule_id",
              "Warning alerts only.", configs=FOREVER),
    TopicSpec("alerts.info", ALERT_EVENTS, "rule_id",
              "Informational alerts only.", configs=FOREVER),
    TopicSpec("incidents", INCIDENT_EVENTS, "incident_id",
              "Incidents fused across outlets: IncidentRecorded, then IncidentUpdated per new report (each event "
              "the figures and the report it adds).",
              # a version-2 event is a few KB whatever the incident holds; LARGE is kept for the version-1
              # events (every report, megabytes for a widely reported event) a log may already hold
              configs={**FOREVER, **LARGE}),
    TopicSpec("streams.dedup-route", ("Trip", "Route"), "batch (partition: the band partition to visit)",
              "Internal: the claims of batches of analysed articles visiting the dedup partitions in turn, then "
              "their home partition (see marsad.schemas.internal).",
              configs={"retention.ms": str(7 * 24 * 3600 * 1000), **LARGE}),
    TopicSpec("streams.dedup-bands", ("ClaimBatch",), "article_id (partition chosen by band)",
              "Internal, previous release: dedup repartitioned by LSH band (see marsad.schemas.internal).",
              configs={"retention.ms": str(7 * 24 * 3600 * 1000)}),
    TopicSpec("streams.dedup-votes", ("ReplyBatch", "Draft"), "article_id",
              "Internal, previous release: dedup replies and drafts back by article (see marsad.schemas.internal).",
              configs={"retention.ms": str(7 * 24 * 3600 * 1000), **LARGE}),
    TopicSpec("streams.alert-stories", ("NoteBatch",), "story_id (partition: of each note's story id)",
              "Internal: the alerter's story notes repartitioned by story, a batch's notes for one partition a "
              "record (see marsad.schemas.notes).",
              configs={"retention.ms": str(7 * 24 * 3600 * 1000), **LARGE}),
    TopicSpec("streams.alert-spikes", ("NoteBatch",), "rule_id|scope (partition: of each note's)",
              "Internal: the alerter's spike counts repartitioned by rule and scope (see marsad.schemas.notes).",
              configs={"retention.ms": str(7 * 24 * 3600 * 1000), **LARGE}),
    TopicSpec("streams.alert-incidents", ("NoteBatch",), "incident type|country (partition: of each note's)",
              "Internal: the alerter's incident reports repartitioned by type and country, so reports that may "
              "fuse meet (see marsad.schemas.notes).",
              configs={"retention.ms": str(7 * 24 * 3600 * 1000), **LARGE}),
    TopicSpec("deadletter.producers", ("DeadLetter",), "article_id",
              "Feeds or pages that could not be fetched or extracted, with the reason.",
              partitions=1, configs={"retention.ms": WEEKS_4, **LARGE}),
    TopicSpec("deadletter.streams", ("DeadLetter",), "article_id",
              "Messages the stream agents could not process (poison messages), with the reason.",
              partitions=1, configs={"retention.ms": WEEKS_4, **LARGE}),
    TopicSpec("deadletter.consumers", ("DeadLetter",), "article_id",
              "Messages the views or alert delivery could not handle, with the reason.",
              partitions=1, configs={"retention.ms": WEEKS_4, **LARGE}),
)

BY_NAME = {spec.name: spec for spec in CATALOGUE}

# The stream workers' Faust tables. Faust names a table's changelog topic
# "{app id}-{table}-changelog" (app id "{prefix}-streams"); the catalogue creates
# them up front, compacted and with the partitions of the article topics, because a
# worker that creates them itself at start-up does not see them in its metadata yet.
STREAM_TABLES = ("dedup-bands", "dedup-signatures", "dedup-votes", "dedup-expiry", "dedup-drafts")
# The alert agent's tables (app id "{prefix}-alerter"), created up front the same way.
ALERTER_TABLES = ("alert-stories", "alert-spikes", "alert-story-expiry", "alert-incidents",
                  "alert-incident-days", "alert-incident-expiry", "alert-incident-reports")
CHANGELOG_CONFIGS = {"cleanup.policy": "compact", **LARGE}


class Topics:
    """Full topic names for one prefix: ``Topics("marsad").fetched == "marsad.articles.fetched"``."""

    def __init__(self, prefix: str = "marsad") -> None:
        self.prefix = prefix

    def name(self, short: str) -> str:
        if short not in BY_NAME:
            raise KeyError(f"unknown topic {short!r}; the catalogue has {', '.join(BY_NAME)}")
        return f"{self.prefix}.{short}"

    @property
    def discovered(self) -> str:
        return self.name("articles.discovered")

    @property
    def fetched(self) -> str:
        return self.name("articles.fetched")

    @property
    def processed(self) -> str:
        return self.name("articles.processed")

    @property
    def alerts(self) -> str:
        return self.name("alerts")

    def alerts_for(self, severity: str) -> str:
        if severity not in SEVERITIES:
            raise KeyError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
        return self.name(f"alerts.{severity}")

    def alert_routes(self, severity: str) -> tuple[str, str]:
        """Where an alert event is published: the all-alerts topic and its severity's topic."""
        return self.alerts, self.alerts_for(severity)

    def deadletter(self, stage: str) -> str:
        return self.name(f"deadletter.{stage}")

    @property
    def streams_app_id(self) -> str:
        return f"{self.prefix}-streams"

    @property
    def alerter_app_id(self) -> str:
        return f"{self.prefix}-alerter"

    def changelog(self, table: str) -> str:
        if table in ALERTER_TABLES:
            return f"{self.alerter_app_id}-{table}-changelog"
        if table not in STREAM_TABLES:
            raise KeyError(f"unknown stream table {table!r}; the workers have {', '.join(STREAM_TABLES)}, "
                           f"the alerter {', '.join(ALERTER_TABLES)}")
        return f"{self.streams_app_id}-{table}-changelog"

    def all(self) -> list[str]:
        return [self.name(s.name) for s in CATALOGUE] + [self.changelog(t) for t in STREAM_TABLES + ALERTER_TABLES]
