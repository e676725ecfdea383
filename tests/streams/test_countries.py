"""find_countries: names, adjectives, people, capitals as government, places' countries."""

from __future__ import annotations

import pytest

from marsad.schemas.facts import Place
from marsad.streams.extract.countries import country_mentions, find_countries
from marsad.streams.text.normalize import normalize

# (id, sentence, countries expected in order, countries that must not appear)
CASES = [
    ("name-with-article", "تتصاعد التوترات على الحدود مع العراق منذ أسابيع.", ["IQ"], []),
    ("two-names-and-clitics", "وصلت المساعدات للعراق وبسوريا انطلقت حملة تلقيح.", ["IQ", "SY"], []),
    ("adjective-after-definite", "أعلن الحرس الثوري الإيراني مناورات جديدة.", ["IR"], []),
    ("adjective-construct", "قال وزير الدفاع الأمريكي إن القوات باقية.", ["US"], []),
    ("adjective-hamza-variant", "أكد مسؤول أميركي أن المحادثات مستمرة.", ["US"], []),
    ("adjective-feminine-chain", "أغلقت الحدود السورية العراقية أمام الشاحنات.", ["SY", "IQ"], []),
    ("family-name-is-not-country", "التقى رئيس الوزراء العراقي محمد شياع السوداني وفداً تجارياً.", ["IQ"], ["SD"]),
    ("norway-is-no", "وصل وفد من النرويج والسويد لبحث ملف اللاجئين.", ["NO", "SE"], []),
    ("un-is-not-us", "دعت الأمم المتحدة إلى وقف إطلاق النار.", [], ["US", "GB"]),
    ("capital-as-government", "كشفت واشنطن عن استراتيجية جديدة لمكافحة المخدرات.", ["US"], []),
    ("people-noun", "يتهم الناشطون الروس بقصف المستشفيات.", ["RU"], []),
    ("united-states", "تدعم الولايات المتحدة قوات سوريا الديمقراطية.", ["US", "SY"], []),
    ("english", "Syrian and Iraqi officials met in Baghdad on Monday.", ["SY", "IQ"], []),
    # a country's adjective on a currency names money, not the country
    ("currency-indefinite", "أفرج عنه الخاطفون مقابل 20 ألف دولار أمريكي.", [], ["US"]),
    ("currency-definite-clitic", "تراجع سعر صرف بالليرة التركية هذا الأسبوع.", [], ["TR"]),
    ("currency-plural", "هرّبوا ملايين الدولارات الأمريكية ودنانير عراقية.", [], ["US", "IQ"]),
    ("currency-and-country", "دفعت الأسرة 5 آلاف دينار أردني لمهرب في الأردن.", ["JO"], []),
    ("currency-and-adjective-elsewhere", "قالت السفارة الأمريكية إن الفدية بلغت ألف دولار أمريكي.", ["US"], []),
    ("currency-english", "Smugglers were paid in U.S. dollars and Turkish lira.", [], ["US", "TR"]),
    ("currency-english-country-named", "Iraqi dinars lost value as Iraq cut imports.", ["IQ"], []),
]


@pytest.mark.parametrize(("sentence", "expected", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_find_countries(sentence: str, expected: list[str], absent: list[str]) -> None:
    found = find_countries(normalize(sentence), [])
    assert found[: len(expected)] == expected, found
    for code in absent:
        assert code not in found


def test_places_add_their_countries() -> None:
    places = [Place(name="بعلبك", lat=34.0, lon=36.2, country="LB")]
    assert find_countries(normalize("دخلت الشاحنات بعلبك قادمة من حمص."), places) == ["LB"]


def test_a_currency_is_no_mention() -> None:
    norm = normalize("دفعوا 300 دولار أمريكي، وقالت القوات الأمريكية إنها لم تتدخل.")
    assert country_mentions(norm) == {"US": 1}


def test_mentions_are_counted_in_order() -> None:
    norm = normalize("إيران تدعم الميليشيات. ونقلت إيران أسلحة إلى العراق.")
    assert country_mentions(norm) == {"IR": 2, "IQ": 1}
