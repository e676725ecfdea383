"""find_quantities: numbers in digits and words, scales, units, drug items, money."""

from __future__ import annotations

import json
from datetime import date

import pytest

from marsad.streams.clean import clean
from marsad.streams.extract.quantities import find_quantities
from tests.conftest import SHARED

# (id, sentence, [(value, unit, item)])
CASES = [
    ("digits-scale-pills-item", "ضبطت الدورية أكثر من 3.2 مليون حبة كبتاغون في شاحنة خضار.",
     [(3_200_000, "pill", "captagon")]),
    ("kg-of-hashish", "صادرت الشرطة 75 كيلوغراماً من الحشيش المخبأ في خزان وقود.", [(75, "kg", "hashish")]),
    ("kg-unnamed-drugs", "عثر العناصر على 40 كلغ من المواد المخدرة داخل مستودع.", [(40, "kg", "drugs")]),
    ("two-in-one-sentence", "ضبط 12 كغ من الهيروين و600 ألف حبة كبتاجون قرب الحدود.",
     [(12, "kg", "heroin"), (600_000, "pill", "captagon")]),
    ("item-before-number", "أحبطت القوات تهريب شحنة كبتاغون تضم 900 ألف حبة.", [(900_000, "pill", "captagon")]),
    ("arabic-indic-digits", "ضبط ٢٫٥ مليون قرص مخدر في ميناء اللاذقية.", [(2_500_000, "pill", "drugs")]),
    ("decimal-comma", "صادرت الجمارك 1,5 طن من الحشيش.", [(1.5, "ton", "hashish")]),
    ("thousands-commas", "ضبط 2,400,000 حبة من الكبتاغون.", [(2_400_000, "pill", "captagon")]),
    ("words-half-million", "ضبطت نصف مليون حبة مخدرة في مزرعة.", [(500_000, "pill", "drugs")]),
    ("words-and-a-half", "أتلفت اللجنة مليوناً ونصف حبة كبتاغون.", [(1_500_000, "pill", "captagon")]),
    ("words-count-and-scale", "ضبطت خمسة ملايين حبة كبتاغون في المرفأ.", [(5_000_000, "pill", "captagon")]),
    ("words-dual", "صادرت القوات مليوني حبة كبتاغون.", [(2_000_000, "pill", "captagon")]),
    # A dual scale and a half, the half's scale repeated or not: 2.5 x the scale, never the half alone.
    ("dual-and-a-half-repeated", "ضبطت القوات مليونين ونصف مليون حبة كبتاغون.", [(2_500_000, "pill", "captagon")]),
    ("dual-nominative-and-a-half-repeated", "بلغت الشحنة مليونان ونصف مليون حبة كبتاغون.",
     [(2_500_000, "pill", "captagon")]),
    ("dual-nominative-and-a-half", "بلغت الشحنة مليونان ونصف حبة كبتاغون.", [(2_500_000, "pill", "captagon")]),
    ("dual-and-a-half-definite-repeat", "ضبطت مليونين ونصف المليون حبة مخدرة.", [(2_500_000, "pill", "drugs")]),
    ("dual-thousands-and-a-half", "دفع المهرب ألفين ونصف ألف دولار رشوة.", [(2_500, "USD", None)]),
    ("dual-thousands-nominative-and-a-half", "بلغت الغرامة ألفان ونصف دولار.", [(2_500, "USD", None)]),
    ("dual-billions-and-a-half", "قدرت العائدات بملياري ونصف مليار دولار.", [(2_500_000_000, "USD", None)]),
    ("dual-billions-nominative", "بلغت العائدات ملياران ونصف مليار دولار.", [(2_500_000_000, "USD", None)]),
    ("dual-and-a-quarter-repeated", "صادرت القوات مليونين وربع مليون حبة.", [(2_250_000, "pill", "drugs")]),
    ("one-and-a-half-repeated", "أتلفت اللجنة مليوناً ونصف مليون حبة كبتاغون.", [(1_500_000, "pill", "captagon")]),
    ("money-billion-plural", "بلغت عائدات التجارة 5.7 مليارات دولار العام الماضي.", [(5_700_000_000, "USD", None)]),
    ("money-word-only", "خصص البرلمان مليار دولار لمكافحة التهريب.", [(1_000_000_000, "USD", None)]),
    ("money-syp", "فرضت غرامة قدرها 50 مليون ليرة سورية على المهرب.", [(50_000_000, "SYP", None)]),
    ("money-iqd", "صرفت الوزارة 300 ألف دينار عراقي لكل عائلة.", [(300_000, "IQD", None)]),
    ("money-euro", "قدم الاتحاد الأوروبي 20 مليون يورو مساعدات.", [(20_000_000, "EUR", None)]),
    ("english-money", "Washington announced a $1.5 billion package.", [(1_500_000_000, "USD", None)]),
    ("english-pills", "Police seized 4 million pills of captagon in the port.", [(4_000_000, "pill", "captagon")]),
    ("english-kg", "They found 30kg of cocaine.", [(30, "kg", "cocaine")]),
    ("crystal-meth", "ضبط 3 كغ من الكريستال ميث في حقيبة.", [(3, "kg", "crystal_meth")]),
    # a number in digits and again in words is one number, not digits times a scale
    ("digits-then-words", "ضبطت الجمارك (٢٠٥٠٠٠٠) مليونين وخمسين ألف حبة كبتاغون.", [(2_050_000, "pill", "captagon")]),
    ("digits-then-words-in-brackets", "ضبطت الجمارك 2050000 (مليونين وخمسين ألف) حبة كبتاغون.",
     [(2_050_000, "pill", "captagon")]),
    ("a-scale-of-many-units", "رصدت الحكومة 1500 مليون دولار للمشروع.", [(1_500_000_000, "USD", None)]),
]


@pytest.mark.parametrize(("sentence", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_find_quantities(sentence: str, expected: list[tuple[float, str, str | None]]) -> None:
    found = [(q.value, q.unit, q.item) for q in find_quantities(sentence)]
    assert len(found) == len(expected), found
    for (value, unit, item), (v, u, i) in zip(expected, found, strict=True):
        assert (u, i) == (unit, item)
        assert v == pytest.approx(value, rel=1e-9)


# (id, sentence): nothing here is a drug or money quantity.
NONE = [
    ("years-and-dates", "في 22 من تشرين الأول 2024 وقع الاتفاق الذي أقر عام 2023."),
    ("percentages", "ارتفعت نسبة التعاطي 30% خلال عامين."),
    ("people-and-ages", "اعتقل 15 شخصاً بينهم شاب يبلغ 19 عاماً."),
    ("vague-tens-of-thousands", "صادرت القوات عشرات الآلاف من الحبوب المخدرة."),
    ("vague-millions-of-dollars", "تدر هذه التجارة ملايين الدولارات سنوياً."),
    ("weight-without-drug", "وزعت المنظمة 20 طناً من القمح على العائلات."),
    ("other-currency", "بلغ سعر الصرف 15 ألف ليرة تركية."),
]


@pytest.mark.parametrize("sentence", [c[1] for c in NONE], ids=[c[0] for c in NONE])
def test_no_quantity(sentence: str) -> None:
    assert find_quantities(sentence) == []


def test_text_is_the_phrase_as_written_and_repeats_count_once() -> None:
    text = "ضبطت الشرطة ١٠٨ كيلوغرامًا من الحَشِيش. وأكدت أن ١٠٨ كيلوغرامًا من الحَشِيش أُتلفت."
    found = find_quantities(text)
    assert len(found) == 1
    assert found[0].text == "١٠٨ كيلوغرامًا من الحَشِيش"


# (id, sentence, [(value, unit, item)]): numbers in several parts, ranges, currencies named alone,
# English forms. Texts written for these tests.
MORE = [
    ("scale-and-smaller-words", "صادرت الجمارك مليوناً وثلاثمائة ألف حبة كبتاغون.", [(1_300_000, "pill", "captagon")]),
    ("thousands-and-digits", "ضبطت الدورية أربعة آلاف و200 ليتر من المازوت المهرب.", [(4_200, "liter", None)]),
    ("digits-thousands-and-digits", "بلغ سعر الغرام 12 ألفاً و300 ليرة سورية.", [(12_300, "SYP", None)]),
    ("thousand-and-hundreds-words", "دفع المهرب ألفاً وخمسمائة دولار للسائق.", [(1_500, "USD", None)]),
    ("dual-and-digits", "صودر ألفين و750 ليتراً من البنزين.", [(2_750, "liter", None)]),
    ("count-words-joined", "عثرت الدورية على خمسة وعشرين ألف حبة مخدرة.", [(25_000, "pill", "drugs")]),
    ("range-dash", "ضبط ما بين 20-30 كغ من الحشيش في المستودع.", [(20, "kg", "hashish"), (30, "kg", "hashish")]),
    ("range-words", "قدرت الكمية بين 40 و60 كيلوغراماً من الكبتاغون.", [(40, "kg", "captagon"), (60, "kg", "captagon")]),
    ("pound-alone-is-syp", "ارتفع سعر الكيلو إلى 9000 ليرة في الأسواق.", [(9_000, "SYP", None)]),
    ("pound-alone-in-a-syrian-story-naming-lebanon", "بلغ الغرام في دمشق 17 ألف ليرة، وارتفع في لبنان.",
     [(17_000, "SYP", None)]),
    ("dinar-alone-is-iqd", "سجل الدولار 1480 دينارا في بورصة المدينة.", [(1_480, "IQD", None)]),
    ("count-word-before-unit", "وعثر المحققون على أربعة كيلوغرامات من الهيروين.", [(4, "kg", "heroin")]),
    ("english-drug-between", "Customs officers found 2.4 million Captagon pills in the lorry.",
     [(2_400_000, "pill", "captagon")]),
    ("english-commas-drug-between", "Police seized about 350,000 Captagon pills on Monday.",
     [(350_000, "pill", "captagon")]),
    ("english-count-word-unit", "They also found three kilograms of heroin.", [(3, "kg", "heroin")]),
    ("english-dollars-million", "The network earned $12 million a year.", [(12_000_000, "USD", None)]),
    ("english-word-million", "Donors pledged two million dollars.", [(2_000_000, "USD", None)]),
    ("english-range", "Each bag held 10-15 kg of hashish.", [(10, "kg", "hashish"), (15, "kg", "hashish")]),
    ("english-pounds", "Fines reached 500,000 Syrian pounds.", [(500_000, "SYP", None)]),
    ("bare-pills-in-a-captagon-article", "The gang dropped bags of Captagon. Soldiers counted 75,000 pills.",
     [(75_000, "pill", "captagon")]),
    ("bare-pills-two-pill-drugs-named", "Captagon and tramadol were found. Soldiers counted 75,000 pills.",
     [(75_000, "pill", "drugs")]),
]


@pytest.mark.parametrize(("sentence", "expected"), [c[1:] for c in MORE], ids=[c[0] for c in MORE])
def test_find_more_quantities(sentence: str, expected: list[tuple[float, str, str | None]]) -> None:
    test_find_quantities(sentence, expected)


MORE_NONE = [
    ("jordanian-dinar", "فرضت المحكمة غرامة قدرها 500 دينار أردني."),
    ("lebanese-pound", "بلغ سعر الصرف 89 ألف ليرة لبنانية."),
    ("dinar-alone-in-a-jordanian-story", "فرضت محكمة أمن الدولة الأردنية غرامة قدرها 5000 دينار على المتهم."),
    ("pound-alone-in-a-lebanese-story", "رفعت الحكومة اللبنانية رسم الخبز إلى 50 ألف ليرة."),
    ("year-range-then-people", "خلال الفترة 2015-2020 قتل 300 شخص."),
    ("falling-numbers-are-no-range", "في عام 2023 و500 شخص غادروا."),
]


@pytest.mark.parametrize("sentence", [c[1] for c in MORE_NONE], ids=[c[0] for c in MORE_NONE])
def test_no_more_quantity(sentence: str) -> None:
    assert find_quantities(sentence) == []


# (id, sentence, publication day, historical?)
HISTORY = [
    ("today", "ضبطت القوات اليوم 3 ملايين حبة كبتاغون.", None, False),
    ("last-year", "وكانت القوات قد ضبطت العام الماضي 3 ملايين حبة كبتاغون.", None, True),
    ("since-start-of-year", "وبلغ مجموع ما ضبط منذ بداية العام 40 مليون حبة كبتاغون.", None, True),
    ("english-last-year", "Last year, officers seized 4 million Captagon pills.", None, True),
    ("earlier-year-with-day", "In March 2023, police seized 40 kg of hashish.", date(2025, 5, 1), True),
    ("same-year-with-day", "In March 2025, police seized 40 kg of hashish.", date(2025, 5, 1), False),
    ("earlier-year-without-day", "In March 2023, police seized 40 kg of hashish.", None, False),
    ("since-a-year-is-a-comparison", "ضبط 8 ملايين حبة كبتاغون، أكبر كمية منذ عام 2019.", date(2025, 5, 1), False),
]


@pytest.mark.parametrize(("sentence", "published", "historical"), [c[1:] for c in HISTORY], ids=[c[0] for c in HISTORY])
def test_quantities_reported_as_history_are_marked(sentence: str, published: date | None, historical: bool) -> None:
    (found,) = find_quantities(sentence, published=published)
    assert found.historical is historical


def test_history_is_per_sentence() -> None:
    text = "ضبطت القوات اليوم مليوني حبة كبتاغون. وكانت قد ضبطت العام الماضي 5 ملايين حبة."
    assert [(q.value, q.historical) for q in find_quantities(text)] == [(2_000_000, False), (5_000_000, True)]


def test_dev_articles_quantities_recall_and_precision() -> None:
    """On the labelled dev sample (skipped when absent): most gold quantities found, few others."""
    gold_file = SHARED / "dev" / "gold.jsonl"
    if not gold_file.is_file():
        pytest.skip(f"no dev gold labels at {gold_file}")
    tp = fp = fn = 0
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        article = SHARED / "dev" / "articles" / f"{gold['id']}.txt"
        if not article.is_file():
            continue
        found = [(q.value, q.unit, q.item) for q in find_quantities(clean(article.read_text(encoding="utf-8")))]
        wanted = [(g["value"], g["unit"], g.get("item")) for g in gold["quantities"]]
        for value, unit, item in found:
            match = next((w for w in wanted if w[1:] == (unit, item) and abs(w[0] - value) <= 0.01 * w[0]), None)
            if match is None:
                fp += 1
            else:
                wanted.remove(match)
                tp += 1
        fn += len(wanted)
    assert tp / (tp + fn) >= 0.9, (tp, fp, fn)
    assert tp / (tp + fp) >= 0.85, (tp, fp, fn)
