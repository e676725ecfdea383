"""Incident dates: stated or resolved against the publication day (incidents.md rule 3)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.streams.incidents_support import incidents_of

TUESDAY = date(2024, 3, 12)  # a Tuesday

# (id, text, published, expected date of the first incident)
CASES = [
    ("today", "قتل عنصران من قسد بهجوم مسلح في مدينة القامشلي اليوم.", TUESDAY, "2024-03-12"),
    ("yesterday", "قتل عنصران من قسد بهجوم مسلح في مدينة القامشلي أمس.", TUESDAY, "2024-03-11"),
    ("day-before-yesterday", "قتل عنصران من قسد بهجوم مسلح في مدينة القامشلي أول أمس.", TUESDAY, "2024-03-10"),
    ("weekday-evening", "شن مسلحون هجوماً على حاجز في مدينة الحسكة مساء الأحد.", TUESDAY, "2024-03-10"),
    ("weekday-same-day", "شن مسلحون هجوماً على حاجز في مدينة الحسكة الثلاثاء.", TUESDAY, "2024-03-12"),
    ("weekday-beats-today", "ضبطت الشرطة اليوم (الاثنين) شحنة أسلحة في مدينة حمص.", TUESDAY, "2024-03-11"),
    ("day-month-no-year", "اعتقلت قوات الأمن ثلاثة أشخاص في مدينة درعا في 9 آذار.", TUESDAY, "2024-03-09"),
    ("day-month-last-year", "اعتقلت قوات الأمن ثلاثة أشخاص في مدينة درعا في 28 كانون الأول.", date(2024, 1, 5),
     "2023-12-28"),
    ("day-month-year", "اندلعت اشتباكات عنيفة في مدينة الميادين يوم 5 آذار 2024.", TUESDAY, "2024-03-05"),
    ("numeric-date", "أغارت طائرات حربية على مدينة البوكمال فجر 10-03-2024.", TUESDAY, "2024-03-10"),
    # days written as ordinals, in Arabic and English
    ("ordinal-day", "وفي التاسع من آذار انفجرت عبوة ناسفة في مدينة عفرين.", TUESDAY, "2024-03-09"),
    ("ordinal-teen-day", "وفي الحادي عشر من آذار انفجرت عبوة ناسفة في مدينة عفرين.", TUESDAY, "2024-03-11"),
    ("ordinal-day-of-this-month", "قتل رجل بانفجار لغم قرب مدينة تدمر في الخامس من الشهر الجاري.", TUESDAY,
     "2024-03-05"),
    ("a-week-of-the-month-is-no-day", "ضبطت الجمارك شحنة أسلحة في مدينة حمص في الأسبوع الأول من آذار.", TUESDAY,
     None),
    ("english-ordinal-before", "On the 9th of March, a bomb exploded in Afrin.", TUESDAY, "2024-03-09"),
    ("english-ordinal-after", "On March 9th, a bomb exploded in Afrin.", TUESDAY, "2024-03-09"),
    ("announcement-dated", "أعلنت وزارة الداخلية، الأحد، ضبط شحنة كبتاغون في مدينة حمص.", TUESDAY, "2024-03-10"),
    ("vague-before-days", "قتل عنصر من قسد بهجوم مسلح في مدينة القامشلي قبل أيام.", TUESDAY, None),
    ("vague-early-month", "ضبطت الشرطة مطلع الشهر مستودع أسلحة في مدينة حمص.", TUESDAY, None),
    ("no-published-relative", "قتل عنصران من قسد بهجوم مسلح في مدينة القامشلي أمس الاثنين.", None, None),
    ("no-published-no-year", "اعتقلت قوات الأمن ثلاثة أشخاص في مدينة درعا في 9 آذار.", None, None),
    ("no-published-full-date", "اندلعت اشتباكات عنيفة في مدينة الميادين يوم 5 شباط 2024.", None, "2024-02-05"),
    ("english-on-weekday", "Gunmen attacked a checkpoint in Kirkuk on Sunday, killing two soldiers.", TUESDAY,
     "2024-03-10"),
    ("english-yesterday", "Security forces arrested three suspects in Kirkuk yesterday.", TUESDAY, "2024-03-11"),
    ("english-day-month", "Jordanian forces seized 2 million Captagon pills on March 8.", TUESDAY, "2024-03-08"),
    ("day-of-this-month", "وفي الـ 4 من الشهر الجاري، اغتال مسلحون مختار قرية في مدينة طفس.", TUESDAY, "2024-03-04"),
    ("day-of-last-month", "اعتقلت قوات الأمن ثلاثة أشخاص في مدينة درعا في 28 من الشهر الماضي.", TUESDAY,
     "2024-02-28"),
    ("weekday-said-past-on-that-weekday", "قتل شخص بقصف على طريق مطار دمشق الدولي يوم الثلاثاء الماضي.", TUESDAY,
     "2024-03-05"),
    ("last-weekday-en", "Two soldiers were killed in an attack in Kirkuk last Tuesday.", TUESDAY, "2024-03-05"),
    ("night-between-two-days", "قتل أربعة عسكريين ليل الأحد – الإثنين بغارات على مواقع قرب بلدة صيدنايا.", TUESDAY,
     "2024-03-11"),
    ("past-a-night-s-midnight", "قتل جنديان بغارة جوية على موقع قرب مدينة سنجار بعد منتصف ليل الأحد.", TUESDAY,
     "2024-03-11"),
    ("a-date-told-aside", "وأمس الاثنين أصيب شاب برصاص مجهولين في بلدة نصيب، وهو شقيق اللذين قتلا في 22 شباط الفائت.",
     TUESDAY, "2024-03-11"),
    ("day-of-this-month-no-published", "وفي الـ 4 من الشهر الجاري، اغتال مسلحون مختاراً في مدينة طفس.", None, None),
]


@pytest.mark.parametrize(("text", "published", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_incident_date(text: str, published: date | None, expected: str | None) -> None:
    found = incidents_of(text, published)
    assert found, "no incident coded"
    assert found[0].date == expected


def test_a_lead_dated_only_by_its_announcement_takes_that_day() -> None:
    text = ("أفاد مصدر محلي مساء الأحد بأن وحدات من الجيش لاحقت مجموعة من المهربين قرب الحدود.\n"
            "وأدت المطاردة إلى اندلاع اشتباكات بين الجيش والمهربين استمرت نصف ساعة.")
    [clash] = incidents_of(text, TUESDAY)
    assert (clash.type, clash.date) == ("armed_clash", "2024-03-10")


def test_an_event_dated_over_a_month_before_publication_is_history() -> None:
    text = "ضبطت الجمارك مليون حبة كبتاغون في مدينة حمص في 3 كانون الثاني."
    assert incidents_of(text, TUESDAY) == []


def test_a_day_of_an_earlier_month_weeks_before_is_history() -> None:
    # 9 February is 32 days before; 20 February 21 days, of an earlier month: recalled; 1 March 11 days: news
    assert incidents_of("ضبطت الجمارك مليون حبة كبتاغون في مدينة حمص في 20 شباط.", TUESDAY) == []
    [seizure] = incidents_of("ضبطت الجمارك مليون حبة كبتاغون في مدينة حمص في الأول من آذار.", TUESDAY)
    assert seizure.date == "2024-03-01"


def test_an_event_of_a_named_earlier_month_is_history() -> None:
    assert incidents_of("وفي شباط الماضي ضبطت الجمارك مليون حبة كبتاغون في مدينة حمص.", TUESDAY) == []


def test_a_day_of_a_month_named_gone_by_is_history() -> None:
    # "28 شباط الماضي" is two weeks before this Tuesday of March, but told as a month gone by: recalled
    text = "واستهدفت القاعدة نفسها بثلاثة صواريخ في 28 شباط/فبراير الماضي من دون إصابات قرب مدينة كركوك."
    assert incidents_of(text, TUESDAY) == [] and incidents_of(text) == []
    assert incidents_of(text.replace("الماضي", "الفائت"), TUESDAY) == []
    [attack] = incidents_of("سقطت صواريخ كاتيوشا على القاعدة قرب مدينة كركوك في 28 شباط.", TUESDAY)
    assert attack.date == "2024-02-28"


def test_a_day_named_before_a_recalled_one_dates_the_news() -> None:
    text = "قتل جنديان بهجوم على حاجز في مدينة كركوك أمس الإثنين، بعد هجوم مماثل على الحاجز نفسه في 10 شباط الماضي."
    [attack] = incidents_of(text, TUESDAY)
    assert (attack.date, attack.killed) == ("2024-03-11", 2)
