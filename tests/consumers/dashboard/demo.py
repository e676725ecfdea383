"""Views for the dashboard tests: the bundled sample site's stories through the real pipeline and views code.

`demo_events` reads every story of ``producers/samples/stories.yaml`` (the
demo's outlets and articles), builds the `ArticleFetched` the importer would
publish, and analyses it with `marsad.streams.pipeline.process_fetched` (the
worker's code), so places, topics and seizures are what the demo shows.
`synthetic_events` makes many articles quickly for the load test.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import msgspec

from marsad.consumers.store import Record, open_store
from marsad.producers.samples.build_site import load
from marsad.producers.samples.templates import READ_ALSO
from marsad.producers.urls import article_id
from marsad.schemas.events import AlertRaised, ArticleFetched, ArticleProcessed, Duplicate, Event
from marsad.schemas.facts import Evidence, Org, Place, Quantity, Topic
from marsad.streams.pipeline import Resources, process_fetched

# The kind of source each demo outlet is read as (the sample site serves them all as feeds; the views only
# record the kind): every kind of the registry is on the dashboard.
DEMO_KINDS = {"horan-today": "telegram", "sawt-alfurat": "sitemap", "al-rafidain": "rss", "al-mashriq": "page",
              "levant-monitor": "rss"}


def demo_events() -> list[ArticleProcessed]:
    """Every sample story, processed as the worker processes it (all originals); the first story of the
    Telegram outlet also as its second, edited revision (same text, so the same facts)."""
    outlets, stories = load()
    by_slug = {s["slug"]: s for s in stories}
    res = Resources.load()
    events = []
    edited = False
    for story in stories:
        outlet = outlets[story["outlet"]]
        url = f"https://{story['outlet']}.example{story['href'].removeprefix('/' + story['outlet'])}"
        teaser = "Read more: " if outlet["language"] == "en" else "اقرأ أيضاً: "
        lines = [story["caption"]] if story.get("caption") else []
        lines += [teaser + by_slug[story["read_also"]]["title"] if p == READ_ALSO else p for p in story["paragraphs"]]
        aid = article_id(url)
        published = story["date"].astimezone(UTC)
        fetched = ArticleFetched(event_id=f"fetched-{aid}", occurred_at=published, article_id=aid, url=url,
                                 source=outlet["name"], origin="import", title=story["title"], text="\n".join(lines),
                                 published=published, lang=outlet["language"],
                                 source_kind=DEMO_KINDS[story["outlet"]])  # type: ignore[arg-type]
        events.append(process_fetched(fetched, res)[0])
        if fetched.source_kind == "telegram" and not edited:
            edit = msgspec.structs.replace(fetched, event_id=f"edited-{aid}", edited=True, revision=2)
            events.append(process_fetched(edit, res)[0])
            edited = True
    return events


DEMO_RULES = (  # rule id, severity, title, which article raises it
    ("captagon-million", "critical", "ضبط أكثر من مليون حبة كبتاغون",
     lambda e: any(q.item == "captagon" and q.value >= 1_000_000 for q in e.quantities)),
    ("isis-activity", "warning", "نشاط لخلايا تنظيم الدولة", lambda e: any(t.id == "terrorism" for t in e.topics)),
    ("humanitarian-camps", "info", "تطورات إنسانية في المخيمات", lambda e: any(t.id == "humanitarian" for t in e.topics)),
)


def demo_reasons(e: ArticleProcessed) -> list[str]:
    """Reasons in the forms the alert agent writes (streams/alerts/match.py), from the article's facts."""
    reasons = [f"topic {t.id} ({t.score:.2f}" + (f": {', '.join(dict.fromkeys(x.text for x in t.evidence[:3]))})"
               if t.evidence else ")") for t in e.topics[:2]]
    reasons += [f"quantity {q.value:,.0f} {q.unit}{' ' + q.item if q.item else ''} >= 1,000,000 pill ({q.text})"
                for q in e.quantities if q.item == "captagon" and q.value >= 1_000_000][:1]
    reasons += [f"place {p.name} ({p.lat:.4f}, {p.lon:.4f})" for p in e.places[:1]]
    return reasons


def demo_alerts(articles: list[ArticleProcessed]) -> list[AlertRaised]:
    """One story alert per `DEMO_RULES` entry, raised by the first (oldest) matching demo article."""
    alerts = []
    for rule_id, severity, title, matches in DEMO_RULES:
        e = min((a for a in articles if matches(a)), key=lambda a: a.published or a.occurred_at)
        alerts.append(AlertRaised(
            event_id=f"alert-{rule_id}", occurred_at=(e.published or e.occurred_at) + timedelta(minutes=2),
            alert_id=f"{rule_id}:{e.article_id}", rule_id=rule_id, title=title, severity=severity,
            story_id=e.article_id, article_ids=[e.article_id], sources=[e.source], titles=[e.title], urls=[e.url],
            topics=e.topics, places=e.places, countries=e.countries, orgs=e.orgs, quantities=e.quantities,
            matched=demo_reasons(e), window_start=e.published))
    return alerts


GRID_PLACES = [Place(f"بلدة {i}", 32.5 + (i % 20) * 0.25, 36.0 + (i // 20) * 0.5, "SY" if i < 100 else "IQ",
                     "town", None) for i in range(200)]
TOPIC_IDS = ("narcotics", "security_ops", "militias", "smuggling", "terrorism", "military")


def synthetic_events(n: int, start: datetime = datetime(2024, 1, 1, tzinfo=UTC)) -> Iterable[ArticleProcessed]:
    """``n`` articles over 200 places and a year, every 5th with a captagon seizure (deterministic)."""
    for i in range(n):
        place = GRID_PLACES[(i * 7) % len(GRID_PLACES)]
        at = start + timedelta(minutes=53 * i)
        topic = TOPIC_IDS[i % len(TOPIC_IDS)]
        quantities = [Quantity(1000.0 * (i % 50 + 1), "pill", "captagon", f"{1000 * (i % 50 + 1)} حبة كبتاغون")] \
            if i % 5 == 0 else []
        yield ArticleProcessed(
            event_id=f"s{i:06d}", occurred_at=at, article_id=f"s{i:06d}", url=f"https://example.org/s/{i}",
            source=f"مصدر {i % 12}", title=f"خبر تجريبي رقم {i} عن {place.name}", published=at, lang="ar",
            clean_text=f"ضبطت السلطات شحنة قرب {place.name} في خبر رقم {i}.",
            topics=[Topic(topic, 0.8, [Evidence("شحنة", "شحنة", 5)])], places=[place], countries=[place.country],
            orgs=[Org("sdf", "قسد")] if i % 3 == 0 else [], quantities=quantities, duplicate=Duplicate(),
            taxonomy_version="t1", gazetteer_version="g1")


def fill_views(url: str, events: Iterable[Event], batch: int = 1000) -> int:
    """Write the events through the views' own batch writer; return how many."""
    n = 0
    with open_store(url) as store:
        store.setup()
        chunk: list[Record] = []
        for event in events:
            chunk.append(Record("dashboard-test", 0, n, event))
            n += 1
            if len(chunk) >= batch:
                store.write_batch(chunk)
                chunk = []
        if chunk:
            store.write_batch(chunk)
    return n
