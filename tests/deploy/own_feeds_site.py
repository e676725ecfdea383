"""Two outlets of the test's own on 127.0.0.1: an RSS 2.0 feed and an Atom feed, two article pages each.

The texts are written for these tests (fictional reports, real place names),
so what reaches the views can be checked word for word. `OwnFeedsSite.opml`
writes the subscriptions file a user would import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from tests.deploy.local_site import HTML, LocalSite, article_page


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    paragraphs: tuple[str, ...]


RSS_PAGES = (
    Page("daraa-checkpoint", "هجوم على حاجز أمني في ريف درعا الشرقي",
         ("تعرض حاجز أمني على الطريق بين بلدتي الحراك وناحتة في ريف درعا الشرقي لهجوم بالأسلحة الخفيفة مساء "
          "الثلاثاء، بحسب ما أفاد شهود من المنطقة.",
          "وقال أحد سكان البلدة إن الاشتباك استمر قرابة نصف ساعة قبل أن ينسحب المهاجمون باتجاه الأراضي الزراعية، "
          "وإن سيارات إسعاف وصلت إلى المكان بعد توقف إطلاق النار.",
          "ولم تعلن أي جهة مسؤوليتها عن الهجوم حتى ساعة إعداد هذا الخبر، فيما أغلقت الطريق أمام حركة المدنيين "
          "حتى صباح اليوم التالي.",
          "وتشهد محافظة درعا منذ أشهر حوادث متكررة تستهدف الحواجز والدوريات، وسط مطالبات الأهالي بضبط الأمن "
          "وملاحقة المسؤولين عنها.")),
    Page("suwayda-water", "أزمة مياه الشرب تتفاقم في مدينة السويداء",
         ("يشكو سكان أحياء عدة في مدينة السويداء من انقطاع مياه الشرب لأيام متتالية، بعد أعطال في محطات الضخ "
          "ونقص في مادة المازوت اللازمة لتشغيلها.",
          "وقال موظف في مؤسسة المياه إن فرق الصيانة تعمل على إصلاح مضختين متوقفتين، وإن الجدول الحالي يوزع المياه "
          "على الأحياء مرة كل أربعة أيام.",
          "ويضطر كثير من الأهالي إلى شراء المياه من الصهاريج الخاصة بأسعار يقولون إنها تفوق قدرتهم، مع ارتفاع "
          "درجات الحرارة وازدياد الاستهلاك.",
          "وطالب وجهاء من المدينة الجهات المعنية بحلول دائمة بدل الإصلاحات المؤقتة التي لا تصمد أكثر من أسابيع.")),
)

ATOM_PAGES = (
    Page("mosul-bridge", "افتتاح جسر جديد يربط ضفتي الموصل",
         ("افتتحت السلطات المحلية في محافظة نينوى جسرا جديدا يربط الساحلين الأيمن والأيسر لمدينة الموصل، بعد "
          "أعمال إنشاء استمرت قرابة عامين.",
          "وقال مسؤول في المحافظة إن الجسر سيخفف الزحام على الجسور القائمة في ساعات الذروة، وإنه صمم ليتحمل "
          "حركة الشاحنات الثقيلة.",
          "ورحب أصحاب محال في المدينة القديمة بالافتتاح، معربين عن أملهم في أن يعيد الحركة إلى الأسواق التي "
          "تضررت خلال السنوات الماضية.",
          "ولا تزال مشاريع إعادة إعمار أخرى في المدينة تنتظر التمويل، وفق ما ذكره أعضاء في مجلس المحافظة.")),
    Page("basra-port", "ميناء أم قصر يستقبل شحنات قمح جديدة",
         ("أعلنت إدارة ميناء أم قصر في محافظة البصرة وصول باخرتين محملتين بالقمح، في إطار خطة لتعزيز المخزون "
          "الغذائي قبل فصل الشتاء.",
          "وأوضح مدير في الميناء أن عمليات التفريغ بدأت فور رسو الباخرتين، وأن الشحنات ستنقل إلى صوامع "
          "المحافظات الجنوبية خلال الأسبوع الجاري.",
          "وأشار إلى أن الميناء رفع طاقته التشغيلية بعد تأهيل أرصفة قديمة، ما قلص مدة انتظار السفن في عرض البحر.",
          "ويعد الميناء المنفذ البحري الرئيسي للعراق، وتمر عبره نسبة كبيرة من واردات البلاد من المواد الغذائية.")),
)


class OwnFeedsSite(LocalSite):
    """`/rss.xml` (RSS 2.0) and `/atom.xml` (Atom) with their pages under `/news/` and `/iraq/`."""

    def __init__(self) -> None:
        super().__init__()
        self.published = datetime.now(UTC) - timedelta(hours=2)
        self.start()

    @property
    def titles(self) -> set[str]:
        return {p.title for p in (*RSS_PAGES, *ATOM_PAGES)}

    def opml(self, path: Path) -> Path:
        path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>my outlets</title></head>
  <body>
    <outline text="سوريا">
      <outline type="rss" text="أخبار الجنوب" xmlUrl="{self.base}/rss.xml" htmlUrl="{self.base}/news/" language="ar"/>
    </outline>
    <outline text="العراق">
      <outline type="rss" text="نينوى والبصرة" xmlUrl="{self.base}/atom.xml" htmlUrl="{self.base}/iraq/" language="ar"/>
    </outline>
  </body>
</opml>
""", encoding="utf-8")
        return path

    def rss(self) -> bytes:
        when = format_datetime(self.published)
        items = "".join(f"<item><title>{escape(p.title)}</title><link>{self.base}/news/{p.slug}.html</link>"
                        f"<guid>{self.base}/news/{p.slug}.html</guid><pubDate>{when}</pubDate>"
                        f"<description>{escape(p.paragraphs[0])}</description></item>" for p in RSS_PAGES)
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>أخبار الجنوب</title>'
                f"<link>{self.base}/news/</link><description>أخبار محلية</description><language>ar</language>"
                f"{items}</channel></rss>").encode()

    def atom(self) -> bytes:
        when = self.published.isoformat(timespec="seconds")
        entries = "".join(f"<entry><title>{escape(p.title)}</title>"
                          f"<link rel=\"alternate\" href={quoteattr(f'{self.base}/iraq/{p.slug}.html')}/>"
                          f"<id>tag:own-feeds,2026:{p.slug}</id><updated>{when}</updated>"
                          f"<summary>{escape(p.paragraphs[0])}</summary></entry>" for p in ATOM_PAGES)
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">'
                f"<title>نينوى والبصرة</title><id>tag:own-feeds,2026:iraq</id><updated>{when}</updated>"
                f"<link rel=\"self\" href={quoteattr(self.base + '/atom.xml')}/>{entries}</feed>").encode()

    def page(self, path: str) -> bytes | None:
        pages = {f"/news/{p.slug}.html": p for p in RSS_PAGES} | {f"/iraq/{p.slug}.html": p for p in ATOM_PAGES}
        p = pages.get(path)
        if p is None:
            return None
        return article_page(p.title, p.paragraphs, "الرئيسية | محليات | اقتصاد")

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/rss.xml":
            return self.rss(), "application/rss+xml"
        if path == "/atom.xml":
            return self.atom(), "application/atom+xml"
        return self.page(path), HTML
