"""The cleaning stage: HTML to text and boilerplate removal by the rules of boilerplate.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from marsad.streams.clean import BoilerplateError, BoilerplateRules, clean
from marsad.streams.clean.html import is_html
from marsad.streams.clean.pipeline import unwrapped
from tests.conftest import RESOURCES, SHARED

ARTICLES = RESOURCES / "articles"
EXPECTED = yaml.safe_load((ARTICLES / "expected.yaml").read_text(encoding="utf-8"))

BODY = "وأعلنت وزارة الداخلية ضبط شحنة من حبوب الكبتاغون كانت معدة للتهريب عبر الحدود."
BODY2 = "وقالت مصادر محلية إن الشحنة كانت مخبأة داخل شاحنة محملة بالخضار."


def lines(text: str) -> list[str]:
    return text.split("\n")


# (text, lines clean() must return)
BOILERPLATE = {
    "share-bar-one-network-per-line": (
        f"Facebook\nTwitter\nWhatsApp\nTelegram\n\n{BODY}", [BODY]),
    "share-bar-in-one-line-with-counts": (
        f"{BODY}\nشارك عبر: فيسبوك | تويتر | واتساب 12\n{BODY2}", [BODY, BODY2]),
    "share-verb-alone": (f"شارك\n{BODY}\nمشاركة", [BODY]),
    "share-this-article": (f"{BODY}\nشارك هذا المقال\nShare this article", [BODY]),
    "read-previous-next-with-teasers": (
        f"{BODY}\n\nRead Previous\n\nعنوان مقال سابق لا علاقة له بالخبر\n\nRead Next\n\n"
        "تقرير: عنوان مقال تال عن “فاغنر” بالعالم\n\nLeave a Reply\n\nMost Popular", [BODY]),
    "arabic-previous-next": (
        f"{BODY}\nالمقال السابق\nعنوان المقال السابق\nالمقال التالي\nعنوان المقال التالي", [BODY]),
    "read-also-inline": (
        f"{BODY}\nاقرأ أيضا: المملكة المتحدة: سوريا أكبر دولة مخدرات في العالم\n{BODY2}", [BODY, BODY2]),
    "read-also-spelling-variants": (
        f"{BODY}\nإقرأ أيضاً: عنوان آخر\n» اقرأ ايضا - عنوان ثالث\n{BODY2}", [BODY, BODY2]),
    "read-also-marker-then-teaser": (f"{BODY}\nاقرأ أيضاً\nعنوان التقرير المرتبط\n{BODY2}", [BODY, BODY2]),
    "most-read-list": (f"{BODY}\nالأكثر قراءة\nعنوان أول\nعنوان ثان\nعنوان ثالث", [BODY]),
    "leave-a-reply-form": (
        f"{BODY}\nاترك تعليقاً\nلن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *", [BODY]),
    "correction-and-complaint-footers": (
        f"{BODY}\nاذا كنت تعتقد/تعتقدين أن المقال يحوي معلومات خاطئة أو لديك تفاصيل إضافية أرسل/أرسلي تصحيحًا\n"
        "إذا كنت تعتقد/تعتقدين أن المقال ينتهك أيًا من المبادئ الأخلاقية أو المعايير المهنية قدم/قدمي شكوى",
        [BODY]),
    "copyright-footer": (f"{BODY}\n© 2024 جميع الحقوق محفوظة", [BODY]),
    "repeated-caption-kept-once": (
        "\nجندي خلال دورية مشتركة في ريف القامشلي (رويترز)\n\n"
        f"جندي خلال دورية مشتركة في ريف القامشلي (رويترز)\n{BODY}",
        ["جندي خلال دورية مشتركة في ريف القامشلي (رويترز)", BODY]),
    # printed once bare (its credit left empty) and once with its credit: the same caption
    "caption-printed-again-with-its-credit": (
        f"عناصر من الجيش قرب الحدود -\nعناصر من الجيش قرب الحدود - أرشيفية\n{BODY}",
        ["عناصر من الجيش قرب الحدود -", BODY]),
    "caption-printed-again-without-its-credit": (
        f"عناصر من الجيش قرب الحدود (رويترز)\n{BODY}\nعناصر من الجيش قرب الحدود\n{BODY2}",
        ["عناصر من الجيش قرب الحدود (رويترز)", BODY, BODY2]),
    "blank-lines-and-spaces-collapsed": (f"\n\n   {BODY}  \n \t \n\n{BODY2}\n\n", [BODY, BODY2]),
    "punctuation-only-lines": (f"{BODY}\n***\n—\n{BODY2}", [BODY, BODY2]),
}

# Lines that look like boilerplate to a careless rule but are body: (text, lines that stay).
KEPT = {
    "sentence-starting-with-share-verb": (
        "شارك وزير الخارجية في اجتماع عقد في بغداد لبحث أمن الحدود.",
        ["شارك وزير الخارجية في اجتماع عقد في بغداد لبحث أمن الحدود."]),
    "sentence-naming-networks": (
        "وقالت الوزارة في بيان نشرته على فيسبوك وتلغرام إن العملية مستمرة.",
        ["وقالت الوزارة في بيان نشرته على فيسبوك وتلغرام إن العملية مستمرة."]),
    "sentence-after-read-next-is-not-a-teaser": (f"Read Next\n{BODY}", [BODY]),
    "subheading-between-paragraphs": (
        f"{BODY}\nمطار القامشلي لتجارة المخدرات\n{BODY2}", [BODY, "مطار القامشلي لتجارة المخدرات", BODY2]),
    "sentence-mentioning-correction": (
        "وطالب الوزير بتصحيح المعلومات التي نشرتها وسائل إعلام عن العملية.",
        ["وطالب الوزير بتصحيح المعلومات التي نشرتها وسائل إعلام عن العملية."]),
    "two-lines-differing-after-a-dash": (
        f"حصيلة الضحايا - درعا\nحصيلة الضحايا - حمص\n{BODY}", ["حصيلة الضحايا - درعا", "حصيلة الضحايا - حمص", BODY]),
    "english-sentence-starting-with-related": (
        "Related arrests were made in Daraa, the ministry said.",
        ["Related arrests were made in Daraa, the ministry said."]),
}


@pytest.mark.parametrize(("text", "expected"), list(BOILERPLATE.values()), ids=list(BOILERPLATE))
def test_boilerplate_is_removed(text: str, expected: list[str]) -> None:
    assert lines(clean(text)) == expected


@pytest.mark.parametrize(("text", "kept"), list(KEPT.values()), ids=list(KEPT))
def test_body_is_kept(text: str, kept: list[str]) -> None:
    assert lines(clean(text)) == kept


def test_spelling_is_kept_as_written() -> None:
    text = "أعلنت “قسد” ضبط ٢٫٥ مليون حبة كبتاغون في الحسكة."
    assert clean(text) == text


def test_every_kind_of_line_break_ends_a_line() -> None:
    assert lines(clean("سطر أول.\r\nسطر ثان.\u2028سطر ثالث.\rسطر رابع.")) == [
        "سطر أول.", "سطر ثان.", "سطر ثالث.", "سطر رابع."]


def test_entities_in_plain_text_are_decoded() -> None:
    assert clean("قالت &quot;قسد&quot; إن العملية انتهت.") == 'قالت "قسد" إن العملية انتهت.'


# --- line classes of boilerplate.yaml --------------------------------------------------

# (class, line): each line, between two body paragraphs, is dropped, and the class named is
# the one that takes it. Lines written for these tests, in the forms real sites print.
CLASS_LINES = [
    ("share_bars", "Facebook Twitter YouTube RSS"),
    ("menus", "الصفحة الرئيسية"),
    ("menus", "أخبار العراق"),
    ("menus", "عاجل الآن"),
    ("menus", "World News"),
    ("ads", "[ad_3]"),
    ("tags", "ريف_حلب أخبار_اليوم"),  # words joined by "_": read though the matching form spaces them
    ("ads", "Source link"),
    ("site_names", "Example News"),
    ("teasers", "• مواجهات جديدة بين الفصائل المسلحة في ريف حلب و"),
    ("teasers", "• آخر التحديثات"),
    ("follow_and_subscribe", "حمّل التطبيق الآن"),
    ("follow_and_subscribe", "Our site on Google Play"),
    ("follow_and_subscribe", "Sign up for our daily newsletter"),
    ("follow_and_subscribe", "الأخبار المهمة تجدها في قناة موقع المثال على التلكرام .. للاشتراك اضغط هنا"),
    ("follow_and_subscribe", "انضموا إلى قناتنا على تيليغرام"),
    ("follow_and_subscribe", "Join our Telegram channel for the latest news"),
    ("tags", "الكلمات الدالة: درعا المخدرات الحدود"),
    ("tags", "Tags: Syria, Captagon"),
    ("tags", "#درعا_الآن #سوريا_اليوم"),
    ("time_stamps", "الثلاثاء 2024-03-05 10:15 م"),
    ("time_stamps", "الأربعاء، ٥ آذار ٢٠٢٤"),
    ("time_stamps", "2024.03.05 | 10:15 حلب"),
    ("time_stamps", "آخر تحديث: 05 مارس 2024 - 11:40 GMT"),
    ("time_stamps", "Published: March 5, 2024, 9:02 AM"),
    ("time_stamps", "منذ ساعتين"),
    ("time_stamps", "قبل 3 ساعات"),
    ("time_stamps", "منذ 5 دقائق"),
    ("time_stamps", "2 hours ago"),
    ("view_counters", "1,204 مشاهدة"),
    ("view_counters", "عدد القراءات: 88"),
    ("view_counters", "3.4k views"),
    ("font_size", "A+ A-"),
    ("font_size", "حجم الخط"),
    ("font_size", "ع ع ع"),
    ("icons_and_credits", "clock icon"),
    ("icons_and_credits", "camera iconعناصر من الشرطة قرب معبر حدودي (وزارة الداخلية)"),
    ("icons_and_credits", "https://www.example.com/images/photo-123.jpg"),
    ("icons_and_credits", "news.example.org | 05. 03. 2024 | ![]() |"),
    ("icons_and_credits", "صورة أرشيفية لعناصر من الجيش"),
    ("icons_and_credits", "Photo: AFP"),
    ("icons_and_credits", "تصوير: رويترز"),
    ("icons_and_credits", "(Getty Images)"),
    ("icons_and_credits", "Example News logo"),
    ("bylines", "تحرير: سامر الأحمد"),
    ("bylines", "بقلم سامر الأحمد"),
    ("bylines", "by editor 5 March 2024"),
    ("bylines", "Reporting by Jane Doe; Editing by John Roe"),
    ("bylines", "Posted on March 5, 2024 by admin"),
    ("bylines", "نشر في 5 آذار 2024 بواسطة المحرر"),
    ("mastheads", "رئيس التحرير: فلان الفلاني - مدير التحرير: علان"),
    ("translation_notes", "This article is also available in: English"),
    ("translation_notes", "Powered by automated translation"),
    ("comment_forms", "This site uses Akismet to reduce spam."),
    ("comment_forms", "12 bloggers like this:"),
    ("footers", "الآراء الواردة في المقال تعبر عن رأي كاتبها"),
    ("footers", "© 2024 Example Media. All rights reserved"),
    ("footers", "تنويه: جميع المقالات المنشورة تعبر عن رأي كتّابها فقط"),
    ("footers", "المواد المنشورة لا تعبر بالضرورة عن رأي الموقع"),
    ("footers", "The opinions in this column do not necessarily reflect the views of the site"),
    ("footers", "Read our Privacy Policy by clicking here"),
    ("footers", "هذا الخبر بعنوان \"إحباط تهريب في ريف حمص\" نشر أولاً على موقع example.com وتم جلبه من مصدره الأصلي."),
    ("footers", "لا يتحمل موقعنا مضمونه بأي شكل من الأشكال. بإمكانكم الإطلاع على تفاصيل هذا الخبر من خلال مصدره الأصلي."),
    ("footers", "This article was originally published on Example News."),
    ("code", ".banner { position: fixed; top: 0; } .banner a { color: red; }"),
]


@pytest.mark.parametrize(("kind", "line"), CLASS_LINES, ids=[f"{k}:{line[:24]}" for k, line in CLASS_LINES])
def test_line_classes_drop_their_lines(kind: str, line: str) -> None:
    assert BoilerplateRules.default().explain(line) == kind
    assert lines(clean(f"{BODY}\n{line}\n{BODY2}")) == [BODY, BODY2]


# Body lines near those classes: they stay, and no class claims them.
CLASS_KEPT = [
    ("stamp-words-in-a-sentence", "وفي يوم الثلاثاء 5 آذار 2024 قتل ثلاثة مدنيين بقصف على بلدة في ريف إدلب."),
    ("year-and-words-heading", "حصيلة الضحايا في درعا خلال 2024"),
    ("section-word-in-a-title", "أخبار سارة عن عودة المهجرين إلى قراهم في ريف حمص"),
    ("by-in-a-sentence", "By Monday, the troops had left the town and the checkpoint was closed."),
    ("editor-in-a-sentence", "وقال رئيس التحرير إن الصحيفة ستواصل تغطية الأحداث في المنطقة."),
    ("views-in-a-sentence", "وتداول ناشطون المقطع الذي حصد 500 ألف مشاهدة خلال يوم."),
    ("braces-in-prose", "قال المتحدث {بحسب البيان} إن العملية انتهت."),
    ("title-without-full-stop", "وأكدت الوزارة أن العملية مستمرة"),
    ("killed-by-a-bomb-heading", "مقتل جندي بواسطة عبوة ناسفة في ريف درعا"),
    ("caption-with-a-credit", "عناصر من الجيش على الحدود مع الأردن (رويترز)"),
    ("hashtag-in-a-sentence", "قصفت طائرات مسيرة مواقع #الحشد_الشعبي قرب الحدود مساء أمس."),
    ("joined-through-telegram", "شبان انضموا إلى التنظيم بعد تواصلهم عبر تلغرام"),
    ("followed-on-youtube", "وتابعوا المباراة عبر يوتيوب"),
    ("channel-named-in-a-heading", "بيان على قناة الفصيل في تلغرام"),
    ("opinion-in-a-heading", "الوزير يعبر عن رأي الحكومة في الاتفاق"),
    ("icon-word-in-a-sentence", "Camera icons on the phone showed the convoy crossing the bridge at night."),
]


@pytest.mark.parametrize("line", [c[1] for c in CLASS_KEPT], ids=[c[0] for c in CLASS_KEPT])
def test_body_lines_near_the_classes_stay(line: str) -> None:
    assert BoilerplateRules.default().explain(line) is None
    assert lines(clean(f"{BODY}\n{line}\n{BODY2}")) == [BODY, line, BODY2]


def test_a_long_line_of_code_residue_is_dropped() -> None:
    css = "#box { position: fixed; bottom: 0; width: 100%; } " * 10
    assert lines(clean(f"{BODY}\n{css}\n{BODY2}")) == [BODY, BODY2]


@pytest.mark.parametrize("wrapped", [
    "موقع المثال - ضبط شحنة كبتاغون كبيرة قرب الحدود الأردنية",
    "ضبط شحنة كبتاغون كبيرة قرب الحدود الأردنية | موقع المثال",
    "نقدم لكم خبر “ضبط شحنة كبتاغون كبيرة قرب الحدود الأردنية”",
], ids=["site-dash-title", "title-bar-site", "quoted-title-in-a-lead"])
def test_a_title_wrapped_in_a_few_words_is_kept_once(wrapped: str) -> None:
    title = "ضبط شحنة كبتاغون كبيرة قرب الحدود الأردنية"
    assert lines(clean(f"{wrapped}\n{title}\n{BODY}")) == [title, BODY]


def test_a_sentence_holding_the_title_is_no_wrapper() -> None:
    title = "ضبط شحنة كبتاغون كبيرة قرب الحدود الأردنية"
    body = f"وقالت الوزارة في بيان إن {title} جاء بعد متابعة استمرت أسابيع من قبل الأجهزة المختصة."
    assert lines(clean(f"{title}\n{body}")) == [title, body]


HEADLINES = ["هل تعود الأمطار إلى البلاد الأسبوع المقبل؟", "ارتفاع أسعار الذهب في الأسواق المحلية اليوم",
             "المنتخب يستعد لمباراة حاسمة في التصفيات", "افتتاح معرض الكتاب بمشاركة عشرات دور النشر"]
PARAGRAPH = ("أعلنت وزارة الداخلية، اليوم الأحد، ضبط شحنة من حبوب الكبتاغون كانت معدة للتهريب عبر الحدود، "
             "وتوقيف ثلاثة أشخاص يشتبه بعلاقتهم بالشبكة التي تنشط بين المحافظات الجنوبية والحدود.")


def test_a_ticker_of_headlines_above_the_article_is_dropped() -> None:
    assert lines(clean("\n".join([*HEADLINES, PARAGRAPH, BODY2]))) == [PARAGRAPH, BODY2]


@pytest.mark.parametrize("top", [
    HEADLINES[:3],  # title, subtitle and a caption: fewer than a ticker
    [*HEADLINES[:2], "دمشق", *HEADLINES[2:]],  # a short line breaks the run
], ids=["three-lines", "broken-run"])
def test_a_few_lines_above_the_article_stay(top: list[str]) -> None:
    assert lines(clean("\n".join([*top, PARAGRAPH]))) == [*top, PARAGRAPH]


def test_unpunctuated_paragraphs_are_no_ticker() -> None:
    text = "\n".join([*HEADLINES, "وقالت المصادر إن التحقيقات مستمرة"])  # no long paragraph after them
    assert lines(clean(text)) == [*HEADLINES, "وقالت المصادر إن التحقيقات مستمرة"]


# A summary of the article in "- " bullets under its title: each line shares words with the paragraph.
SUMMARY = ["ضبط شحنة كبتاغون على الحدود وتوقيف ثلاثة أشخاص",
           "- ضبطت وزارة الداخلية شحنة كبتاغون معدة للتهريب عبر الحدود",
           "- أوقفت الأجهزة ثلاثة أشخاص يشتبه بعلاقتهم بالشبكة",
           "- بلغت الكمية المضبوطة 40 كيلوغراما"]


def test_a_summary_above_the_article_is_no_ticker() -> None:
    assert lines(clean("\n".join([*SUMMARY, PARAGRAPH, BODY2]))) == [*SUMMARY, PARAGRAPH, BODY2]


def test_a_ticker_goes_and_the_title_and_summary_under_it_stay() -> None:
    text = "\n".join([*HEADLINES, *SUMMARY, PARAGRAPH])
    assert lines(clean(text)) == [*SUMMARY, PARAGRAPH]


RELATED = "انفجارات ضخمة تهز العاصمة وأنباء عن هجوم واسع"  # another article's title


def test_another_articles_headline_under_the_last_paragraph_is_dropped() -> None:
    assert lines(clean("\n".join([PARAGRAPH, BODY2, RELATED]))) == [PARAGRAPH, BODY2]


@pytest.mark.parametrize("last", [
    "وأكدت الوزارة أن التحقيقات مع الأشخاص الموقوفين مستمرة",  # about the article, without a full stop
    "المصدر: وزارة الداخلية",  # too few words for a headline
    "ولم تعلق الجهات الرسمية على الحادثة حتى مساء اليوم",  # opens with و: a sentence, not a title
    "سلمت المضبوطات، وتجري المتابعة لتوقيف المتورطين",  # a comma: a sentence
], ids=["unpunctuated-last-sentence", "source-line", "opens-with-wa", "holds-a-comma"])
def test_a_last_line_about_the_article_stays(last: str) -> None:
    assert lines(clean("\n".join([PARAGRAPH, BODY2, last]))) == [PARAGRAPH, BODY2, last]


EN_PARAGRAPH = ("Customs officers seized four million captagon pills hidden in a truck at the border crossing "
                "on Sunday and arrested the driver, the interior ministry said in a statement.")


@pytest.mark.parametrize(("last", "dropped"), [
    ("Flash Floods Hit Southern Provinces After Heavy Rain", True),
    ("Officials did not say where the shipment was headed", False),
], ids=["title-case-headline", "sentence-case-sentence"])
def test_an_english_last_line_is_a_teaser_only_in_title_case(last: str, dropped: bool) -> None:
    assert lines(clean(f"{EN_PARAGRAPH}\n{last}")) == [EN_PARAGRAPH] + ([] if dropped else [last])


def test_a_headline_under_unpunctuated_paragraphs_stays() -> None:
    text = "\n".join(["وقالت المصادر إن التحقيقات مستمرة مع الموقوفين", RELATED])
    assert lines(clean(text)) == ["وقالت المصادر إن التحقيقات مستمرة مع الموقوفين", RELATED]


# Datelines at the top: "<outlet> - <city>", "<city> - <outlet>", "<city> (<outlet>)".
@pytest.mark.parametrize("dateline", [
    "تلفزيون المثال ـ إسطنبول",
    "باريس – وكالة المثال",
    "لندن (المثال 24)",
    "Example News - London",
], ids=["outlet-tatweel-city", "city-dash-agency", "city-outlet-in-brackets", "english"])
def test_a_dateline_of_the_outlets_seat_is_dropped(dateline: str) -> None:
    title = "ضبط شحنة كبتاغون على الحدود"
    assert lines(clean(f"{title}\n{dateline}\n{PARAGRAPH}\n{BODY2}")) == [title, PARAGRAPH, BODY2]


@pytest.mark.parametrize("dateline", [
    "درعا – وكالة المثال",  # the city is named again: the news is there
    "دمشق - سامر الأحمد",  # a reporter, no outlet
], ids=["city-named-again", "city-and-reporter"])
def test_a_dateline_of_the_news_stays(dateline: str) -> None:
    body = "وقالت مصادر محلية في درعا إن الشحنة كانت مخبأة داخل شاحنة محملة بالخضار."
    assert lines(clean(f"{dateline}\n{PARAGRAPH}\n{body}")) == [dateline, PARAGRAPH, body]


def test_a_dateline_after_the_first_sentence_stays() -> None:
    line = "تلفزيون المثال ـ إسطنبول"
    assert lines(clean(f"{PARAGRAPH}\n{line}\n{BODY2}")) == [PARAGRAPH, line, BODY2]


def test_classes_in_a_rules_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("classes:\n  promos:\n    what: promotions\n    prefixes: [عرض خاص]\n", encoding="utf-8")
    rules = BoilerplateRules.load(path)
    assert rules.explain("عرض خاص: اشتراك مجاني") == "promos"
    assert lines(clean(f"{BODY}\nعرض خاص: اشتراك مجاني", rules)) == [BODY]


def test_dev_articles_lose_most_gold_boilerplate_and_keep_all_gold_body() -> None:
    gold_file = SHARED / "dev" / "gold.jsonl"
    if not gold_file.is_file():
        pytest.skip(f"no dev gold labels at {gold_file}")
    removed = total = 0
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        article = SHARED / "dev" / "articles" / f"{gold['id']}.txt"
        if not article.is_file():
            continue
        body = _squash(clean(article.read_text(encoding="utf-8")))
        for keep in gold.get("keep", []):
            assert _squash(keep) in body, (gold["id"], keep)
        total += len(gold.get("boilerplate", []))
        removed += sum(_squash(bp) not in body for bp in gold.get("boilerplate", []))
    assert removed >= 0.8 * total, f"{removed}/{total} gold boilerplate lines removed"


# --- HTML -----------------------------------------------------------------------

HTML_FRAGMENTS = {
    "paragraphs-and-breaks": (
        "<p>الفقرة الأولى عن <b>قسد</b> في الحسكة.</p><p>الفقرة الثانية<br>سطر بعد فاصل</p>",
        ["الفقرة الأولى عن قسد في الحسكة.", "الفقرة الثانية", "سطر بعد فاصل"]),
    "scripts-styles-forms-dropped": (
        "<div><style>p{}</style><p>نص الخبر.</p><script>var x = '<p>no</p>';</script>"
        "<form><button>أرسل</button></form></div>", ["نص الخبر."]),
    "list-items-and-headings": (
        "<h2>عنوان فرعي</h2><ul><li>البند الأول</li><li>البند الثاني</li></ul>",
        ["عنوان فرعي", "البند الأول", "البند الثاني"]),
    "share-links-in-markup": (
        f"<p>{BODY}</p><div class='share'><a>Facebook</a> <a>Twitter</a></div>", [BODY]),
}


@pytest.mark.parametrize(("html", "expected"), list(HTML_FRAGMENTS.values()), ids=list(HTML_FRAGMENTS))
def test_html_fragment_becomes_one_block_per_line(html: str, expected: list[str]) -> None:
    assert lines(clean(html)) == expected


def test_html_page_keeps_the_article_and_drops_the_chrome() -> None:
    body = clean((ARTICLES / "page_seizure.html").read_text(encoding="utf-8"))
    assert "ضبط شحنة تضم نحو ثلاثة ملايين حبة كبتاغون" in body
    assert "أوقفت الشاحنة قرب بلدة نصيب" in body
    for chrome in ("الرئيسية", "Facebook", "اقرأ أيضاً", "الأكثر قراءة", "أسعار الذهب", "جميع الحقوق محفوظة", "gtag"):
        assert chrome not in body


@pytest.mark.parametrize(("text", "html"), [
    ("<p>نص</p>", True),
    ("<!DOCTYPE html><html><body>نص</body></html>", True),
    ("نص عادي فيه علامة أصغر من: 3 < 5 و 7 > 2", False),
    ("قال: <تصريح> غير مكتمل", False),
], ids=["fragment", "page", "comparison-signs", "angle-brackets-in-prose"])
def test_html_is_detected(text: str, html: bool) -> None:
    assert is_html(text) is html


# --- rules files -------------------------------------------------------------------

@pytest.mark.parametrize(("content", "field"), [
    ("words: facebook", "words"),
    ("markers:\n  - {teasers: -1, phrases: [read next]}", r"markers\[0\].teasers"),
    ("markers:\n  - {phrases: [read next], after: 2}", r"markers\[0\]"),
    ("patterns: ['(unclosed']", r"patterns\[0\]"),
    ("title_max_chars: 0", "title_max_chars"),
    ("classes: [a]", "classes"),
    ("classes:\n  x: {prefix: [a]}", r"classes\.x\.prefix"),
    ("classes:\n  x: {patterns: ['(']}", r"classes\.x\.patterns\[0\]"),
    ("share_buttons: [x]", "share_buttons"),
    ("exact: ['***']", r"exact\[0\]"),
    ("words: [facebook, on]", r"words\[1\]"),
    ("teaser_tail_max_lines: -1", "teaser_tail_max_lines"),
    ("common_words: the", "common_words"),
    ("outlet_words: [tv, on]", r"outlet_words\[1\]"),
], ids=["words-not-a-list", "negative-teasers", "unknown-marker-field", "bad-regex", "zero-limit",
        "classes-not-a-mapping", "unknown-kind-in-a-class", "bad-regex-in-a-class",
        "unknown-kind", "phrase-without-letters", "yaml-boolean", "negative-tail", "common-words-not-a-list",
        "yaml-boolean-outlet-word"])
def test_rules_errors_name_the_field(tmp_path: Path, content: str, field: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BoilerplateError, match=rf"rules\.yaml: {field}"):
        BoilerplateRules.load(path)


def test_custom_rules_replace_the_default(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("prefixes: [إعلان ممول]\n", encoding="utf-8")
    rules = BoilerplateRules.load(path)
    text = f"{BODY}\nإعلان ممول: شقق للبيع\nFacebook"
    assert lines(clean(text, rules)) == [BODY, "Facebook"]


# --- articles of tests/resources and the shared seeds ------------------------------------

@pytest.mark.parametrize("name", list(EXPECTED), ids=list(EXPECTED))
def test_resource_articles_lose_boilerplate_and_keep_body(name: str) -> None:
    want = EXPECTED[name]
    body = clean((ARTICLES / f"{name}.txt").read_text(encoding="utf-8"))
    for line in want.get("removed", []):
        assert line not in body
    for snippet in want.get("kept", []):
        assert snippet in body
    if "duplicate" in want:
        assert body.count(want["duplicate"]) == 1


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_seeds_lose_gold_boilerplate_and_keep_gold_body(seeds_gold: list[tuple[dict, str]]) -> None:
    for gold, text in seeds_gold:
        body = _squash(clean(text))
        for bp in gold.get("boilerplate", []):
            assert _squash(bp) not in body, (gold["id"], bp)
        for keep in gold.get("keep", []):
            assert _squash(keep) in body, (gold["id"], keep)
        if gold.get("duplicate_line"):
            assert body.count(_squash(gold["duplicate_line"])) == 1


# A hard-wrapped text: every paragraph cut into lines of about 60 characters, no full stop at the breaks.
_WRAPPED = (
    "قالت مديرية الأمن في بيان صحفي مساء اليوم إنها اعتقلت\n"
    "مجموعة من المهربين قرب الحدود بعد متابعة استمرت أسابيع\n"
    "وضبطت بحوزتهم كمية من الحبوب المخدرة.\n"
    "وأضافت المديرية أن التحقيقات ما زالت جارية لمعرفة من\n"
    "يقف وراء الشبكة ومصادر تمويلها وطرق التهريب التي\n"
    "استخدمتها خلال الأشهر الماضية.\n"
    "وختمت بالقول إن الموقوفين أحيلوا إلى القضاء المختص بعد\n"
    "تدوين إفاداتهم.\n"
)


def test_a_hard_wrapped_paragraph_is_one_line() -> None:
    body = clean(_WRAPPED).split("\n")
    assert len(body) == 3
    assert body[0].endswith("كمية من الحبوب المخدرة.")
    # a wrapped line ending with "من" is no teaser cut mid-phrase: nothing is lost
    assert "لمعرفة من يقف وراء الشبكة" in body[1]


def test_a_normal_text_keeps_its_lines() -> None:
    text = ("عنوان الخبر عن حملة أمنية في المنطقة الشرقية\n"
            + "قالت مديرية الأمن في بيان صحفي مساء اليوم إنها اعتقلت مجموعة من المهربين قرب الحدود "
              "بعد متابعة استمرت أسابيع، وضبطت بحوزتهم كمية من الحبوب المخدرة.\n") * 3
    assert unwrapped(text) == text


def test_a_list_is_not_a_wrapped_paragraph() -> None:
    items = "".join(f"- عنوان مقال آخر عن الأحداث في المنطقة رقم {i}\n" for i in range(6))
    assert unwrapped(items + "وختمت المديرية بيانها بالقول إن الموقوفين أحيلوا إلى القضاء.\n") == \
        items + "وختمت المديرية بيانها بالقول إن الموقوفين أحيلوا إلى القضاء.\n"


def test_a_teaser_list_goes_on_past_a_question() -> None:
    text = (BODY + "\nمقالات ذات صلة\nعنوان مقال آخر عن الحدود\nالخطوط الجوية تعلن رحلات جديدة، ما وجهتها؟\n"
            "حملة اعتقالات واسعة في مدينة الرقة")
    assert clean(text) == BODY
