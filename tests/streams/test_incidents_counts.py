"""Incident counts: killed, injured, arrested as the article states them (incidents.md rule 6)."""

from __future__ import annotations

import pytest

from tests.streams.incidents_support import incidents_of

# (id, text, {count: value} expected on the first incident; a count not listed must be absent)
CASES = [
    ("digits-after", "قتل 4 جنود وأصيب 7 آخرون بهجوم على حاجز في مدينة كركوك.", {"killed": 4, "injured": 7}),
    ("arabic-indic-digits", "أسفر الهجوم على حاجز في مدينة كركوك عن مقتل ٣ جنود.", {"killed": 3}),
    ("word-numbers", "قتل ثلاثة عناصر وجرح خمسة آخرون بانفجار عبوة ناسفة في مدينة الرقة.",
     {"killed": 3, "injured": 5}),
    ("singular-is-one", "أسفر الهجوم على حاجز في مدينة الحسكة عن مقتل عنصر وإصابة آخرين.", {"killed": 1}),
    ("dual-is-two", "قتل عنصران من قسد بهجوم على حاجز في مدينة الحسكة.", {"killed": 2}),
    ("number-before-noun-cue", "خلف القصف المدفعي على مدينة درعا 12 قتيلاً و30 جريحاً.", {"killed": 12, "injured": 30}),
    ("approximate-is-as-given", "أدت الاشتباكات في مدينة الميادين إلى مقتل أكثر من 20 مقاتلاً.", {"killed": 20}),
    ("one-and-four-add-up", "قال مصدر إن ضابطاً وأربعة جنود قتلوا بهجوم على موقع للجيش في مدينة كركوك.",
     {"killed": 5}),
    ("no-casualties-is-zero", "استهدفت قذائف هاون مدينة الحسكة دون وقوع إصابات.", {"killed": 0, "injured": 0}),
    ("tens-is-not-a-number", "قتل عشرات المدنيين بهجوم على سوق في مدينة درعا.", {}),
    ("shared-number-is-neither", "مقتل وإصابة 10 جنود بهجوم على موقع للجيش في مدينة كركوك.", {}),
    ("arrested-digits", "اعتقلت قوات الأمن 14 شخصاً ضمن حملة أمنية في مدينة درعا.", {"arrested": 14}),
    ("arrested-singular", "داهمت قوة أمنية منزلاً في مدينة حمص وأسفرت العملية عن اعتقال المطلوب.", {"arrested": 1}),
    ("goods-are-not-arrests", "ضبطت الشرطة 400 ألف حبة كبتاغون في مدينة حمص واعتقلت سائق الشاحنة.", {"arrested": 1}),
    ("date-is-not-a-count", "أعلنت القوات اعتقال خلية لتنظيم داعش يوم 20 كانون الأول في مدينة الحسكة.", {}),
    ("year-is-not-a-count", "قتل جندي بهجوم على حاجز في مدينة كركوك في 3 آذار 2024.", {"killed": 1}),
    ("persons-joined", "أعلن الجيش استشهاد ضابط ومقاتل بانفجار عبوة ناسفة في مدينة الرقة.", {"killed": 2}),
    ("seized-people", "ضبطت دورية للجيش خمسة أشخاص وثلاث سيارات محملة بالمازوت في مدينة حمص.", {"arrested": 5}),
    ("seized-goods-are-not-arrests", "ضبطت دورية للجيش ثلاث سيارات محملة بالمازوت في مدينة حمص.", {}),
    ("english-list", "Militants attacked a checkpoint near Kirkuk, killing four police officers, two fighters "
     "and wounding two others.", {"killed": 6, "injured": 2}),
    ("english-words", "Gunmen attacked a checkpoint near Kirkuk, killing four soldiers and wounding two others.",
     {"killed": 4, "injured": 2}),
    ("english-a-soldier", "An Iraqi soldier was killed in an attack in Kirkuk.", {"killed": 1}),
    ("english-arrested", "Security forces arrested six suspects in a raid in Kirkuk.", {"arrested": 6}),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_incident_counts(text: str, expected: dict[str, int]) -> None:
    found = incidents_of(text)
    assert found, "no incident coded"
    first = found[0]
    assert {k: v for k in ("killed", "injured", "arrested") if (v := getattr(first, k)) is not None} == expected


def test_a_later_sentence_fills_a_count_the_report_lacks() -> None:
    text = ("قتل عنصران من قسد بهجوم مسلح على حاجز في مدينة الحسكة.\n"
            "وأصيب في الهجوم ثلاثة عناصر آخرون نقلوا إلى المستشفى.")
    [attack] = incidents_of(text)
    assert (attack.killed, attack.injured) == (2, 3)


def test_a_protest_does_not_count_the_dead_it_protests() -> None:
    [protest, *_] = incidents_of("خرجت مظاهرة في مدينة القامشلي احتجاجاً على مقتل ثلاثة مدنيين.")
    assert protest.type == "protest" and protest.killed is None
