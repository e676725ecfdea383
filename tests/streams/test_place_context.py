"""The context rules of place finding, each on sentences written for it (Arabic and English)."""

from __future__ import annotations

import pytest

from marsad.streams.extract.gazetteer.model import Gazetteer, load_gazetteer
from marsad.streams.extract.places import find_places, find_places_and_countries
from marsad.streams.geo import distance_km
from marsad.streams.text.normalize import normalize


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


DAMASCUS = (33.51, 36.29)
BAGHDAD = (33.34, 44.40)
RAQQA = (35.95, 39.01)
ASHARA = (34.92, 40.56)
DEIR_EZ_ZOR = (35.34, 40.14)
ALBU_KAMAL = (34.45, 40.92)
AL_HOL_CAMP = (36.38, 41.14)
OMAR_FIELD = (35.06, 40.57)
IBTA = (32.79, 36.17)
ARSAL = (34.18, 36.42)
TALL_HAMIS = (36.65, 41.05)
QAMISHLI = (37.05, 41.23)
AS_SAWDA = (34.98, 35.94)  # a village whose name is "the black" (fem.)
ALEPPO = (36.20, 37.16)
HALBA = (34.54, 36.08)  # the seat of Akkar, the gazetteer's point for "عكار"
SARMADA = (36.18, 36.70)
AL_BARA = (35.68, 36.54)
TAYYANA = (34.99, 40.53)

# (id, sentence, points that must be found)
FOUND = [
    ("list-carries-the-cue", "عادت العائلات إلى محافظات حمص وحلب والرقة بعد سنوات.", [RAQQA]),
    ("big-town-lends-its-cue", "تضررت دير الزور والعشارة من السيول الأخيرة.", [DEIR_EZ_ZOR, ASHARA]),
    ("capital-listed-after-towns", "توزعت العائلات العائدة على حلب وإدلب ودمشق.", [DAMASCUS]),
    ("capital-listed-before-a-town", "سجلت بغداد وديالى أعلى درجات الحرارة أمس.", [BAGHDAD]),
    ("capital-surroundings", "تصدت الدفاعات الجوية لصواريخ استهدفت محيط دمشق فجراً.", [DAMASCUS]),
    ("capital-on-a-journey", "فُقد الاتصال بالسائق أثناء طريقه من دمشق إلى درعا.", [DAMASCUS]),
    ("dateline", "دمشق - خاص\nافتتح معرض الكتاب أبوابه للزوار.", [DAMASCUS]),
    ("dual-noun-second-name", "استهدف القصف محيط بلدتي عين القط وإبطع صباحاً.", [IBTA]),
    ("orientation-after", "تشهد عرسال شرق لبنان توتراً أمنياً.", [ARSAL]),
    ("two-neighbour-towns", "امتدت العملية إلى الرطبة وعكاشات غرب الأنبار.", [(33.04, 40.28), (33.77, 40.60)]),
    ("two-neighbour-towns-bare", "انتشرت دوريات الرطبة وعكاشات منذ الفجر.", [(33.04, 40.28), (33.77, 40.60)]),
    ("article-name-is-no-given-name", "أُغلق منفذ الوليد والرطبة أمام المسافرين.", [(33.04, 40.28)]),
    ("english-noun-after", "Dozens of families left al-Hol camp on Monday.", [AL_HOL_CAMP]),
    ("english-base-after", "A drone struck the al-Omar base overnight.", [OMAR_FIELD]),
    ("english-area-after", "Patrols were sent to the Tall Hamis area.", [TALL_HAMIS]),
    ("english-country-possessive", "A drone was downed over Syria's Al-Tanf on Saturday.", [(33.49, 38.66)]),
    ("english-capital-apposition", "Police raided a warehouse in the capital, Damascus, at dawn.", [DAMASCUS]),
    ("english-article-variants", "Reinforcements reached Deir al-Zor and Al Bukamal.", [DEIR_EZ_ZOR, ALBU_KAMAL]),
    ("english-alternate-spelling", "Traders in Kamishli reported calm markets.", [QAMISHLI]),
    ("hashtags-with-underscores", "قصفت الطائرات مواقع في #دير_الزور و#البو_كمال فجراً.", [DEIR_EZ_ZOR, ALBU_KAMAL]),
    ("common-word-after-a-village-noun", "سقطت قذيفة على أطراف قرية السوداء صباحاً.", [AS_SAWDA]),
    ("common-word-after-a-market-noun", "اندلع حريق في سوق السوداء القديم.", [AS_SAWDA]),
    ("dash-pair-second-name", "دهمت دورية منزلاً في وادي خالد – عكار فجراً.", [HALBA]),
    ("tatweel-dash-pair", "وقع انفجار في وادي خالد ـ عكار مساءً.", [HALBA]),
    ("road-noun-before-a-dash-pair", "قُتل شاب على طريق سرمدا – البردقلي صباحاً.", [SARMADA]),
    ("road-ends-far-apart", "قطع المحتجون طريق حلب - دمشق الدولي.", [ALEPPO, DAMASCUS]),
    ("plural-noun-comma-list", "سقطت قذائف على بلدات كفرنوران، البارة، وفليفل.", [AL_BARA]),
    ("plural-noun-list-after-unknown-names", "داهمت الدوريات قرى الفرحية، الطيانة والشحيل.", [TAYYANA]),
    ("big-town-placed-loosely", "انفجرت عبوة في الرقة شرقي حلب.", [RAQQA]),
    ("dateline-dash-special", "حلب – خاص\nافتتح معرض الكتاب أبوابه للزوار.", [ALEPPO]),
]


@pytest.mark.parametrize(("sentence", "points"), [c[1:] for c in FOUND], ids=[c[0] for c in FOUND])
def test_context_makes_a_place(gaz: Gazetteer, sentence: str, points: list[tuple[float, float]]) -> None:
    places = find_places(normalize(sentence), gaz, text=sentence)
    for point in points:
        assert any(distance_km(*point, p.lat, p.lon) < 20 for p in places), (point, places)


# (id, sentence): no place at all.
NOT_PLACES = [
    ("common-verb-far-town", "بوشر التحقيق مع الموقوفين فور وصولهم."),
    ("paper-not-raqqa", "وزعت اللجنة ورقة عمل على الحاضرين."),
    ("part-of-a-region", "لاحقت الدوريات المهربين في منطقة البقاع الشمالي."),
    ("another-village-east", "اندلع حريق في قرية الكسرة الشرقية."),
    ("capitals-listed-together", "رحبت واشنطن وطهران بالاتفاق."),
    ("common-words-foot-and-important", "ناقش الاتحاد القضايا الهامة لكرة القدم."),
    ("given-name-before-town", "قال وليد الرطبة إن العمل مستمر."),
    ("capital-as-source", "وصلت رسالة من دمشق تؤكد الموقف."),
    ("english-capital-as-government", "Damascus said it rejected the proposal."),
    ("english-lower-case-word", "The mixture was used as salt in the recipe."),
    ("english-institution", "Students of Damascus University protested."),
    ("chamber-of-industry", "قال رئيس غرفة صناعة حلب إن المعامل توقفت عن العمل."),
    ("english-words-among-alternate-names", "A Dark Alley Near Philadelphia Was Closed For Rehab."),
    ("english-russian-parliament", "The State Duma passed the law in a first reading."),
    # a common word with the article after a place noun with it is the noun's adjective: "the black market"
    ("adjective-of-a-definite-noun", "ارتفعت أسعار المحروقات في السوق السوداء خلال الشتاء."),
    ("adjective-of-a-definite-noun-clitic", "يشتري السكان الخبز بالسوق السوداء منذ أشهر."),
]


@pytest.mark.parametrize("sentence", [c[1] for c in NOT_PLACES], ids=[c[0] for c in NOT_PLACES])
def test_context_rules_out_a_place(gaz: Gazetteer, sentence: str) -> None:
    assert find_places(normalize(sentence), gaz, text=sentence) == []


# (id, sentence, the places found as (name, country)): a bigger place named right after a name decides
# among its readings, and a name with no reading near it is left out; a list's plural noun lends its cue
# only where the list lies; an outlet's name is no place.
PLACED = [
    ("area-picks-the-near-reading", "قالت مصادر سورية إن شاباً اعتقل في ذيبان جنوب مادبا.",
     [("ذيبان", "JO"), ("مادبا", "JO")]),
    ("no-reading-west-of-the-city", "قصفت القوات قرية القصر غربي حلب.", [("حلب", "SY")]),
    ("beside-not-inside", "قصفت الطائرات مواقع في العاصمة دمشق وريف حمص.", [("دمشق", "SY"), ("حمص", "SY")]),
    ("inside-another-governorate-is-none", "اغتيل شابان في بلدة جرمانا بريف درعا.", [("درعا", "SY")]),
    # the Yarmouk basin of Daraa, not the Yarmouk camp of Damascus
    ("a-region-not-the-camp", "اغتيل شابان في منطقة حوض اليرموك بريف درعا.",
     [("منطقة حوض اليرموك", "SY"), ("درعا", "SY")]),
    # Quneitra's الحضر, not Iraq's Hatra
    ("the-reading-in-the-countryside", "استهدفت المدفعية بلدة الحضر بريف القنيطرة.",
     [("الحضر", "SY"), ("القنيطرة", "SY")]),
    ("no-reading-near-the-district-after-a-dash", "دهم الجيش منزلاً في بلدة تل أبيض – بعلبك.", [("بعلبك", "LB")]),
    ("far-in-the-same-governorate", "تمركزت القوات في الرطبة وعكاشات غرب الأنبار.",
     [("الرطبة", "IQ"), ("عكاشات", "IQ"), ("الأنبار", "IQ")]),
    ("list-lies-with-its-other-names", "نفذ الجيش مداهمات في مناطق: عرسال، القصر، المقيبلة.", [("عرسال", "LB")]),
    ("outlet-after-a-reporter", "قال مراسل “حلب اليوم” إن الوضع هادئ في المنطقة.", []),
    ("outlet-in-a-byline", "درعا – حلب اليوم\nقال المصدر إن الطريق مغلق.", [("درعا", "SY")]),
    ("city-then-today", "شهدت حلب اليوم الأحد اشتباكات متقطعة.", [("حلب", "SY")]),
]


@pytest.mark.parametrize(("sentence", "expected"), [c[1:] for c in PLACED], ids=[c[0] for c in PLACED])
def test_place_of_a_name_by_its_neighbours(gaz: Gazetteer, sentence: str, expected: list[tuple[str, str]]) -> None:
    places = find_places(normalize(sentence), gaz, text=sentence)
    assert [(p.name, p.country) for p in places] == expected


def test_a_name_in_a_hashtag_is_reported_with_spaces(gaz: Gazetteer) -> None:
    text = "عاد الهدوء إلى #رأس_العين بعد اشتباكات."
    assert [p.name for p in find_places(normalize(text), gaz, text=text)] == ["رأس العين"]


def test_far_place_needs_a_cue_unless_its_country_is_named(gaz: Gazetteer) -> None:
    bare = "قال المسؤول إن دبي تستضيف المعرض."
    assert find_places(normalize(bare), gaz, text=bare) == []
    named = "قال المسؤول الإماراتي إن دبي تستضيف المعرض في الإمارات."
    assert [p.country for p in find_places(normalize(named), gaz, text=named)] == ["AE"]


# English spellings of the news for the gazetteer's places: (spelling, point).
SPELLINGS = [
    ("Deir Ezzor", DEIR_EZ_ZOR), ("Dayr az Zawr", DEIR_EZ_ZOR), ("Deir al-Zour", DEIR_EZ_ZOR),
    ("Al-Qamishli", QAMISHLI), ("Qamishlo", QAMISHLI), ("Abu Kamal", ALBU_KAMAL), ("Albu Kamal", ALBU_KAMAL),
    ("Raqqa", RAQQA), ("Raqa", RAQQA), ("Hasakah", (36.50, 40.75)), ("Al-Hasakah", (36.50, 40.75)),
    ("Hasaka", (36.50, 40.75)), ("Ras al-Ain", (36.85, 40.07)), ("Azaz", (36.59, 37.05)), ("Hama", (35.13, 36.76)),
    ("Tal Rifaat", (36.47, 37.09)), ("Khan Sheikhoun", (35.44, 36.65)), ("Makhmour", (35.78, 43.59)),
    ("Sulaimani", (35.56, 45.44)), ("Hawija", (35.33, 43.77)),
]


@pytest.mark.parametrize(("spelling", "point"), SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_english_spellings(gaz: Gazetteer, spelling: str, point: tuple[float, float]) -> None:
    sentence = f"Security forces were deployed in {spelling} on Sunday."
    places = find_places(normalize(sentence), gaz, text=sentence)
    assert any(distance_km(*point, p.lat, p.lon) < 20 for p in places), places


def test_capital_for_its_government_is_a_country_not_a_place(gaz: Gazetteer) -> None:
    for sentence, country in [("أعلنت بغداد رفضها للقرار.", "IQ"), ("Damascus said it rejected the proposal.", "SY")]:
        places, countries = find_places_and_countries(normalize(sentence), gaz, text=sentence)
        assert places == [] and countries == [country], (sentence, places, countries)


def test_ambiguous_name_prefers_the_region_then_the_adjective(gaz: Gazetteer) -> None:
    plain = "اندلعت اشتباكات في طرابلس ليلاً."
    assert [p.country for p in find_places(normalize(plain), gaz, text=plain)] == ["LB"]
    libyan = "اندلعت اشتباكات في طرابلس الليبية ليلاً."
    assert [p.country for p in find_places(normalize(libyan), gaz, text=libyan)] == ["LY"]
    english = "Fighting resumed in Tripoli, the Libyan capital, as Libya braced for talks."
    assert [p.country for p in find_places(normalize(english), gaz, text=english)] == ["LY"]
