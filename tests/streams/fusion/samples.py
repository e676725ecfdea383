"""Processed articles carrying incidents, written for these tests (the incident coder is built apart).

One attack told by four articles (three outlets in Arabic and English giving 3, 4 and 4
killed, and an exact copy of the first), and the events that must stay apart from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marsad.schemas.alert_state import DayBucket, IncidentState
from marsad.schemas.events import (
    ArticleProcessed,
    Duplicate,
    IncidentRecorded,
    IncidentReport,
    IncidentUpdated,
)
from marsad.schemas.facts import Incident, Place
from marsad.streams.alerts.engine import event_time, source_of
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.rules import Ruleset
from marsad.streams.alerts.spike import SpikeStores, apply_spike
from marsad.streams.fusion.expiry import incident_ttl_s
from marsad.streams.fusion.reports import reports_of
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.hour_index import HourIndex

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # published the morning after the attack
DAY1 = "2026-03-01"
MAYADIN = Place("الميادين", 35.0198, 40.4515, "SY", "town", 173480)
MAYADIN_EN = Place("Mayadin", 35.0198, 40.4515, "SY", "town", 173480)
THIBAN = Place("ذيبان", 35.0150, 40.5103, "SY", "town", 170691)  # 5 km east of Mayadin
ALBUKAMAL = Place("البوكمال", 34.4523, 40.9185, "SY", "town", 174448)  # 75 km down the Euphrates
DEIR_EZZOR_GOV = Place("محافظة دير الزور", 35.20, 40.40, "SY", "governorate")

ATTACK_AR = "قتل {n} عناصر من قسد في هجوم شنه مسلحون من داعش على نقطة عسكرية في {place} مساء أمس."
ATTACK_EN = "{n} SDF fighters were killed when ISIS gunmen attacked a post in {place} on Sunday evening."


def processed(article_id: str, source: str, incidents: list[Incident], *, lang: str = "ar",
              at: datetime = T0, dup: tuple[str, str] | None = None, countries: tuple[str, ...] = ("SY",),
              title: str = "") -> ArticleProcessed:
    """An ArticleProcessed with these incidents, published and processed at ``at``."""
    duplicate = Duplicate(dup[0], dup[1], 1.0 if dup[0] == "exact" else 0.9) if dup else Duplicate()
    return ArticleProcessed(
        event_id=f"ev-{article_id}", occurred_at=at, article_id=article_id, url=f"https://{source}.example/{article_id}",
        source=source, title=title or f"title of {article_id}", published=at, lang=lang,
        clean_text=" ".join(i.evidence for i in incidents) or "nothing", countries=list(countries),
        incidents=incidents, duplicate=duplicate)


def attack(killed: int | None, place: Place | None = MAYADIN, date: str | None = DAY1, *, lang: str = "ar",
           actors: tuple[str, ...] = ("isis",), targets: tuple[str, ...] = ("sdf",), kind: str = "attack",
           injured: int | None = None) -> Incident:
    where = place.name if place else "البادية"
    text = (ATTACK_EN if lang == "en" else ATTACK_AR).format(n=killed, place=where)
    return Incident(kind, text, date, place, list(actors), list(targets), killed, injured)


def mayadin_attack(at: datetime = T0) -> list[ArticleProcessed]:
    """The attack of DAY1 in Mayadin: 3 killed (outlet-a), 4 (outlet-b), 4 (outlet-c, English), and
    outlet-d's exact copy of outlet-a's article."""
    return [
        processed("a1", "outlet-a", [attack(3)], at=at),
        processed("b1", "outlet-b", [attack(4, THIBAN)], at=at + timedelta(hours=1)),
        processed("c1", "outlet-c", [attack(4, MAYADIN_EN, lang="en")], lang="en", at=at + timedelta(hours=2)),
        processed("d1", "outlet-d", [attack(3)], at=at + timedelta(hours=3), dup=("exact", "a1")),
    ]


ATTACK_RULES = """\
rules:
  - id: deadly-attack
    kind: incident
    title: هجوم دام تؤكده مصادر مستقلة
    severity: critical
    types: [attack]
    when: [killed >= 3, outlets >= 2]
"""

NO_RULES = Ruleset("none", "test", (), ())


class Fold:
    """The fold over dict states, as the back-test runs it."""

    def __init__(self, days: int = 30, rules: Ruleset = NO_RULES, *, objects: bool = False) -> None:
        """``objects``: keep the states as objects, as the back-test does (else encoded, as the agent's
        tables hold them)."""
        self.raw_incidents: dict = {}
        self.stores = IncidentStores({}, {}, {}) if objects else \
            IncidentStores(StateStore(self.raw_incidents, IncidentState), StateStore({}, DayBucket), StateStore({}, str))
        ttl = incident_ttl_s(days)
        self.index = HourIndex({}, 0, ttl) if ttl else None
        self.rules = rules
        self.spikes = SpikeStores.over({})
        self.events: list[IncidentRecorded | IncidentUpdated] = []
        self.alerts: list = []
        self.dropped = 0

    def run(self, articles: list[ArticleProcessed]) -> Fold:
        for a in articles:
            for note in reports_of(a, at=event_time(a), source=source_of(a)):
                folded = fold_incident(self.stores, note, self.index, self.rules)
                self.events += folded.incidents
                self.alerts += folded.alerts
                for spike in folded.spikes:
                    self.alerts += apply_spike(self.spikes, spike)
                self.dropped += folded.expired
        return self

    def latest(self) -> dict[str, IncidentRecorded | IncidentUpdated]:
        out: dict = {}
        for e in self.events:
            if e.incident_id not in out or out[e.incident_id].revision < e.revision:
                out[e.incident_id] = e
        return out

    def reports(self) -> dict[str, list[IncidentReport]]:
        """Each incident's reports as its events added them, in (event time, report id) order (as a view
        keeps them)."""
        out: dict[str, dict[str, IncidentReport]] = {}
        for e in self.events:
            out.setdefault(e.incident_id, {}).update((r.article_id, r) for r in e.reports)
        return {iid: sorted(rs.values(), key=lambda r: (r.at, r.report_id)) for iid, rs in out.items()}

    def groups(self) -> list[list[str]]:
        """The article ids of each incident, sorted."""
        return sorted(sorted(r.article_id for r in rs) for rs in self.reports().values())
