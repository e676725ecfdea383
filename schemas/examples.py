"""One realistic example of each event type: for tests, benchmarks and documentation."""

from __future__ import annotations

from datetime import UTC, datetime

from marsad.schemas.events import (
    AlertRaised,
    AlertUpdated,
    ArticleDiscovered,
    ArticleFetched,
    ArticleProcessed,
    DeadLetter,
    Duplicate,
    Event,
    IncidentRecorded,
    IncidentReport,
    IncidentUpdated,
    RawPage,
)
from marsad.schemas.facts import Evidence, Incident, Org, Place, Quantity, Topic

T0 = datetime(2024, 2, 8, 10, 0, tzinfo=UTC)
QAMISHLI = Place("القامشلي", 37.0522, 41.2306, "SY", "city", 173253)


def sample_events() -> list[Event]:
    """One fully populated event of each type."""
    return [
        ArticleDiscovered(article_id="a1", url="https://example.org/a/1", feed_id="enab", source="عنب بلدي",
                          title="ضبط شحنة كبتاغون", published=T0, lang="ar", causation_id=None, source_kind="rss"),
        ArticleFetched(article_id="a1", url="https://example.org/a/1", source="عنب بلدي", title="ضبط",
                       text="ضبطت السلطات 2.5 مليون حبة كبتاغون في القامشلي.", published=T0, lang="ar",
                       raw=RawPage(data=b"x\x9c\x01\x00", content_type="text/html", size=10),
                       causation_id="d" * 32, source_kind="rss"),
        ArticleProcessed(article_id="a1", clean_text="ضبطت السلطات 2.5 مليون حبة كبتاغون",
                         topics=[Topic("narcotics", 0.9, [Evidence("كبتاغون", "كبتاغون", 30)])],
                         places=[Place("القامشلي", 37.0522, 41.2306, "SY", "city", 173253)],
                         countries=["SY"], orgs=[Org("sdf", "قسد")],
                         quantities=[Quantity(2_500_000.0, "pill", "captagon", "2.5 مليون حبة كبتاغون")],
                         incidents=[Incident("seizure", "ضبطت السلطات 2.5 مليون حبة كبتاغون", "2024-02-07",
                                             QAMISHLI, actors=["sdf"], arrested=3,
                                             quantities=[Quantity(2_500_000.0, "pill", "captagon")])],
                         duplicate=Duplicate("near", "a0", 0.91), taxonomy_version="t1", gazetteer_version="g1",
                         source_kind="rss"),
        AlertRaised(alert_id="al1", rule_id="captagon-million", title="seizure", severity="critical",
                    story_id="a1", article_ids=["a1"], sources=["عنب بلدي"],
                    titles=["ضبط شحنة كبتاغون"], urls=["https://example.org/a/1"],
                    quantities=[Quantity(2_500_000.0, "pill", "captagon")],
                    matched=["quantity captagon >= 1000000 pill: 2.5 مليون حبة كبتاغون"],
                    window_start=T0, rules_version="r1", taxonomy_version="t1"),
        AlertUpdated(alert_id="al1", rule_id="captagon-million", severity="critical", revision=1,
                     article_id="a2", source="السومرية", article_ids=["a1", "a2"],
                     sources=["عنب بلدي", "السومرية"]),
        IncidentRecorded(incident_id="in1", incident_type="attack", date="2024-02-07", place=QAMISHLI,
                         actors=["isis"], targets=["sdf"], killed=4, killed_min=3, killed_max=4,
                         evidence="قتل أربعة عناصر من قسد بهجوم لداعش قرب القامشلي أمس.",
                         reports=[IncidentReport("a1", "عنب بلدي", "https://example.org/a/1", published=T0,
                                                 killed=4, at=T0, report_id="a1#0")],
                         reports_total=1, sources=["عنب بلدي"], outlets=1, first_seen=T0, last_seen=T0),
        IncidentUpdated(incident_id="in1", incident_type="attack", date="2024-02-07", place=QAMISHLI, killed=4,
                        killed_min=3, killed_max=4, outlets=2, revision=2, first_seen=T0, last_seen=T0,
                        reports=[IncidentReport("a3", "Enab Baladi English", lang="en", killed=3, at=T0,
                                                report_id="a3#0")],
                        reports_total=2, sources=["عنب بلدي", "Enab Baladi English"]),
        DeadLetter(stage="process", reason="payload is not JSON", error="schema", key="a1",
                   source_topic="marsad.articles.fetched", source_partition=0, source_offset=7,
                   payload=b"\xff\xfe"),
    ]
