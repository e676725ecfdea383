"""Deterministic ArticleProcessed events for the consumer tests: realistic Arabic, known facts.

Every field that would otherwise come from the clock or a random id is fixed,
so the same call gives the same event (and the same content hash).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marsad.schemas.events import ArticleProcessed, Duplicate
from marsad.schemas.facts import Evidence, Org, Place, Quantity, Topic
from marsad.schemas.wire import SourceKind

T0 = datetime(2024, 2, 1, 6, 0, tzinfo=UTC)

PLACES = [
    Place("البوكمال", 34.4534, 40.9188, "SY", "city", 172374),
    Place("القامشلي", 37.0522, 41.2306, "SY", "city", 173253),
    Place("درعا", 32.6189, 36.1021, "SY", "city", 170592),
    Place("معبر نصيب", 32.5478, 36.2007, "SY", "crossing", None),
    Place("الرمثا", 32.5592, 36.0069, "JO", "city", 247932),
]
TOPICS = ["narcotics", "security_ops", "militias", "smuggling"]
ORGS = [Org("sdf", "قسد"), Org("hezbollah", "حزب الله"), Org("ndf", "الدفاع الوطني")]
SOURCES = ["عنب بلدي", "تلفزيون سوريا", "السويداء 24"]
SENTENCES = [
    "ضبطت السلطات شحنة من حبوب الكبتاغون قرب الحدود الأردنية.",
    "أعلنت قوى الأمن الداخلي عن عملية أمنية في ريف المدينة.",
    "قالت مصادر محلية إن ميليشيات موالية لإيران نقلت أسلحة.",
    "أحبطت الجمارك محاولة تهريب كمية من الحشيش.",
]


def article(i: int, *, topics: list[str] | None = None, place: int | None = None, source: int | None = None,
            pills: float | None = None, duplicate_of: int | None = None, version: str = "t1",
            published: datetime | None = None, title: str | None = None, kind: SourceKind | None = None,
            revision: int = 1) -> ArticleProcessed:
    """Article ``a{i:05d}``; unless given, its facts follow from ``i``."""
    topic_ids = topics if topics is not None else [TOPICS[i % len(TOPICS)]]
    p = PLACES[(i if place is None else place) % len(PLACES)]
    src = SOURCES[(i if source is None else source) % len(SOURCES)]
    sentence = SENTENCES[i % len(SENTENCES)]
    quantities = []
    if pills is not None:
        quantities.append(Quantity(pills, "pill", "captagon", f"{pills:g} حبة كبتاغون"))
        quantities.append(Quantity(50_000.0, "USD", None, "50 ألف دولار"))
    dup = Duplicate() if duplicate_of is None else Duplicate("near", f"a{duplicate_of:05d}", 0.9)
    return ArticleProcessed(
        event_id=f"e{i:05d}{version}", occurred_at=T0 + timedelta(hours=i), article_id=f"a{i:05d}",
        url=f"https://example.org/news/{i}", source=src, title=title or f"خبر رقم {i} من {p.name}",
        published=published or (T0 + timedelta(hours=i)), lang="ar",
        clean_text=f"{sentence} وذكرت المصادر أن الحادثة وقعت في {p.name}.",
        topics=[Topic(t, 0.8, [Evidence("كبتاغون", "الكبتاغون", 20)]) for t in topic_ids],
        places=[p], countries=[p.country], orgs=[ORGS[i % len(ORGS)]], quantities=quantities, duplicate=dup,
        taxonomy_version=version, gazetteer_version="g1", source_kind=kind, edited=revision > 1,
        revision=revision)


def corpus(n: int) -> list[ArticleProcessed]:
    """``n`` articles: every 6th reports a captagon seizure, every 7th is a near copy of the one before."""
    return [article(i, pills=float(1000 * (i + 1)) if i % 6 == 0 else None,
                    duplicate_of=i - 1 if i % 7 == 6 else None) for i in range(n)]
