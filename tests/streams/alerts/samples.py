"""Articles for the alert tests, built by the real pipeline (`marsad.streams.pipeline`) with chosen times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import msgspec

from marsad.schemas.events import ArticleFetched, ArticleProcessed, Duplicate
from marsad.streams.pipeline import Resources, process_fetched

SEIZURE = (
    "أعلنت وزارة الداخلية السورية أن إدارة مكافحة المخدرات ضبطت شحنة كبيرة من حبوب الكبتاغون "
    "كانت معدة للتهريب إلى الأردن، وقالت الوزارة في بيان إن الشحنة ضمت نحو ثلاثة ملايين حبة كبتاغون "
    "مخبأة داخل شاحنة محملة بالخضار، وإن عناصر الدورية ألقوا القبض على سائق الشاحنة واثنين من "
    "مرافقيه قرب بلدة نصيب في ريف درعا الشرقي. وأضاف البيان أن التحقيقات مستمرة لكشف بقية أفراد الشبكة."
)
SEIZURE_TITLE = "ضبط ثلاثة ملايين حبة كبتاغون في ريف درعا"
# the same story re-published by other outlets with small edits
SEIZURE_EDITS = (
    SEIZURE.replace("أعلنت", "قالت").replace("نحو", "قرابة") + " وكانت الوزارة قد أعلنت عمليات مماثلة.",
    SEIZURE.replace("شحنة كبيرة", "شحنة ضخمة").replace("قرب بلدة", "بالقرب من بلدة"),
)
OTHER_SEIZURE = (
    "ضبطت الجمارك العراقية في منفذ القائم الحدودي 2.5 مليون حبة كبتاغون مخبأة في شحنة "
    "من الفواكه قادمة من سوريا، وأوقفت سائقين اثنين، بحسب بيان لهيئة المنافذ الحدودية."
)
OFF_TOPIC = "فاز فريق الكرامة على الوحدة بهدفين مقابل هدف في الدوري السوري لكرة القدم مساء أمس في حمص."
ISIS_ATTACK = "هاجم عناصر من تنظيم داعش حاجزا للجيش في بادية دير الزور وقتلوا ثلاثة جنود في كمين ليلي."
ARRESTS = (
    "ألقت قوى الأمن الداخلي القبض على {n} مطلوبين في مدينة درعا خلال حملة تفتيش على الحواجز {k}.",
    "اعتقلت الأجهزة الأمنية {n} أشخاص في درعا بعد اشتباه بتورطهم في عمليات سرقة {k}.",
)
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@cache
def resources() -> Resources:
    return Resources.load()


def article(article_id: str, text: str, *, source: str = "outlet-a", title: str = "",
            at: datetime | None = None, dup: tuple[str, str] | None = None) -> ArticleProcessed:
    """An ArticleProcessed of ``text`` (real facts), published and processed at ``at``, with a dedup verdict."""
    fetched = ArticleFetched(article_id=article_id, source=source, title=title, text=text,
                             url=f"https://{source}.example/{article_id}")
    processed, _ = process_fetched(fetched, resources())
    at = at or T0
    duplicate = Duplicate(dup[0], dup[1], 0.9 if dup[0] == "near" else 1.0) if dup else Duplicate()
    return msgspec.structs.replace(processed, published=at, occurred_at=at, duplicate=duplicate)


def seizure_story(at: datetime = T0) -> list[ArticleProcessed]:
    """The 3-million-pill seizure from outlet-a, then copies from outlet-b and outlet-c."""
    return [
        article("seizure-a", SEIZURE, source="outlet-a", title=SEIZURE_TITLE, at=at),
        article("seizure-b", SEIZURE_EDITS[0], source="outlet-b", title=SEIZURE_TITLE, at=at + timedelta(hours=1),
                dup=("near", "seizure-a")),
        article("seizure-c", SEIZURE_EDITS[1], source="outlet-c", title="الكبتاغون مجددا",
                at=at + timedelta(hours=2), dup=("near", "seizure-a")),
    ]


def arrests(count: int, start: datetime, every: timedelta, prefix: str = "bg") -> list[ArticleProcessed]:
    """``count`` distinct reports of arrests in Daraa (topic security_ops), one every ``every``."""
    return [article(f"{prefix}-{i}", ARRESTS[i % 2].format(n=i + 2, k=prefix + str(i)), source=f"outlet-{i % 3}",
                    at=start + i * every) for i in range(count)]


SPIKE_RULES = """\
rules:
  - id: arrests-spike
    kind: spike
    title: ارتفاع مفاجئ في أخبار الاعتقالات
    severity: warning
    topic: security_ops
    per: place
    window: 1h
    baseline_days: 2
    min_count: 5
"""
