"""find_places: gazetteer names in context, clitics, variants, ambiguity, false friends."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.streams.extract.gazetteer.model import Gazetteer, PlaceEntry, load_gazetteer, read_tsv, write_tsv
from marsad.streams.extract.places import find_places
from marsad.streams.geo import distance_km
from marsad.streams.text.normalize import normalize

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


QAMISHLI = (37.05, 41.23)
HASAKAH = (36.50, 40.75)
DEIR_EZ_ZOR = (35.34, 40.14)
RAQQA = (35.95, 39.01)
ALBU_KAMAL = (34.45, 40.92)
TAL_ABYAD = (36.70, 38.95)
AL_HOL_CAMP = (36.38, 41.14)
NASIB = (32.55, 36.20)
WASHINGTON = (38.90, -77.04)
AL_BAB = (36.37, 37.52)
MAYADIN = (35.02, 40.45)
SINJAR = (36.32, 41.88)
TRIPOLI_LB = (34.43, 35.84)
TRIPOLI_LY = (32.89, 13.19)
ERBIL = (36.19, 44.01)
BAGHDAD = (33.34, 44.40)
SARMADA = (36.18, 36.705)
RAS_BAALBEK = (34.258, 36.42)
SAADIYA = (34.19, 45.12)
TUZ_KHURMATU = (34.89, 44.63)
BUHRIZ = (33.70, 44.667)
QAHTANIYA_IQ = (36.20, 41.69)
QAHTANIYA_SY = (37.03, 41.55)
AL_DOUR = (34.46, 43.80)

# (id, sentence, points that must be found, how many places in all)
FOUND = [
    ("clitic-wa-bi-al", "عقدت الإدارة الذاتية اجتماعاً موسعاً وبالقامشلي افتتحت مكتباً جديداً.", [QAMISHLI], 1),
    ("clitic-li-glued-variant", "توجهت تعزيزات عسكرية لديرالزور قادمة من الرقة.", [DEIR_EZ_ZOR, RAQQA], 2),
    ("rural-of", "اندلعت اشتباكات عنيفة في ريف الحسكة الجنوبي فجر اليوم.", [HASAKAH], 1),
    ("spelling-abu-kamal", "سيطرت القوات على مدينة أبو كمال الحدودية بعد معارك.", [ALBU_KAMAL], 1),
    ("spelling-albukamal", "وصلت شحنة أسلحة إلى البوكمال عبر طريق صحراوي.", [ALBU_KAMAL], 1),
    ("hamza-less-tal-abyad", "عاد مئات النازحين إلى تل ابيض بعد توقف القصف.", [TAL_ABYAD], 1),
    ("camp-phrase", "نقلت السلطات عشرات العائلات من مخيم الهول إلى العراق.", [AL_HOL_CAMP], 1),
    ("crossing-phrase", "أعيد فتح معبر نصيب الحدودي أمام حركة الشاحنات.", [NASIB], 1),
    ("coordination", "تنتشر خلايا التنظيم في محافظتي الحسكة ودير الزور.", [HASAKAH, DEIR_EZ_ZOR], 2),
    ("governorate-is-city-point", "شددت الأسايش إجراءاتها في محافظة الحسكة.", [HASAKAH], 1),
    ("big-city-no-cue", "تشهد القامشلي حركة تجارية نشطة هذه الأيام.", [QAMISHLI], 1),
    ("capital-with-locative", "وصل الرئيس إلى واشنطن في زيارة رسمية تستمر يومين.", [WASHINGTON], 1),
    # a side of a capital is ground, not its government
    ("side-of-a-capital", "انفجرت عبوة ناسفة بسيارة طبيب شرق بغداد صباح اليوم.", [BAGHDAD], 1),
    ("side-of-a-capital-en", "A roadside bomb exploded east of Baghdad on Sunday.", [BAGHDAD], 1),
    # a border town said to lie in its governorate (its nearest GeoNames town lies across the border)
    ("town-in-its-governorate", "استهدفت غارة سيارة في مدينة سرمدا بريف إدلب الشمالي.", [SARMADA], 2),
    # a region named after a river is not the Damascus camp named after it
    ("yarmouk-basin", "توغلت قوة في قرية بمنطقة حوض اليرموك غرب درعا.", [(32.77, 35.92)], 2),
    ("dash-pair-of-towns", "ضبط الجيش شاحنة أسلحة في منطقة راس بعلبك - القاع.", [RAS_BAALBEK], 2),
    ("common-word-after-place-noun", "سيطرت الفصائل على مدينة الباب شرقي حلب.", [AL_BAB], 2),
    ("channel-town-with-cue", "دخلت دورية عسكرية إلى الميادين صباح الأحد.", [MAYADIN], 1),
    ("ambiguous-by-country-lb", "اندلعت اشتباكات في طرابلس شمالي لبنان.", [TRIPOLI_LB], 1),
    ("ambiguous-by-country-ly", "اندلعت اشتباكات في طرابلس الليبية بين فصيلين.", [TRIPOLI_LY], 1),
    ("region-phrase", "هرّبت الشحنة إلى إقليم كردستان العراق عبر الحدود.", [ERBIL], 1),
    ("english", "Clashes were reported in Qamishli and in Deir ez-Zor on Sunday.", [QAMISHLI, DEIR_EZ_ZOR], 2),
    # the article and the feminine ending as English writes them for a town whose Arabic name has the article
    ("english-ending-and-article", "A car bomb went off in As-Saadiyeh and another in Hasakeh.",
     [SAADIYA, HASAKAH], 2),
    # English names as the news writes them: a preposition "on" (YAML's boolean until quoted), a diacritic kept
    ("english-on", "Barrel bombs fell on Kafr Nabl at dawn.", [(35.61, 36.56)], 1),
    ("english-diacritic", "A drone struck a car in Kobanê on Monday.", [(36.89, 38.35)], 1),
    ("english-spelling-of-a-governorate", "An IED hit a patrol in Salahaddin province.", [(34.62, 43.68)], 1),
    ("tuz-glued", "هاجم مسلحون حاجزاً في طوزخرماتو شمالي العراق.", [TUZ_KHURMATU], 1),
    # "على" folds to the given name "علي": as written, it is the preposition; a country after a name places it
    ("on-a-town", "شنت طائرة مسيرة تركية غارة على سنجار مساء الأحد.", [SINJAR], 1),
    ("placed-by-its-country", "تعرض سنجار بالعراق لقصف بطائرة مسيرة.", [SINJAR], 1),
    # nahiya seats of Iraqi news; a namesake of a Syrian town read by the place named after it
    ("iraqi-nahiya", "انفجرت عبوة ناسفة قرب دورية للشرطة في بهرز جنوب بعقوبة.", [BUHRIZ], 2),
    ("namesake-in-iraq", "قصفت طائرة مسيرة موقعاً في القحطانية غرب سنجار.", [QAHTANIYA_IQ, SINJAR], 2),
    ("namesake-in-syria", "سيّرت القوات دورية في القحطانية بريف الحسكة.", [QAHTANIYA_SY, HASAKAH], 2),
    # a district's seat GeoNames counts with its district (160,000) is still a "بلدة" at home
    ("town-noun-for-a-district-seat", "قتل شرطيان بهجوم على حاجز في بلدة الشرقاط اليوم.", [(35.52, 43.23)], 1),
    ("common-word-town-with-its-noun", "اعتقلت القوات متهمين في قضاء الدور شرقي تكريت.", [AL_DOUR], 2),
]


@pytest.mark.parametrize(("sentence", "points", "count"), [c[1:] for c in FOUND], ids=[c[0] for c in FOUND])
def test_finds_places(gaz: Gazetteer, sentence: str, points: list[tuple[float, float]], count: int) -> None:
    places = find_places(normalize(sentence), gaz, text=sentence)
    assert len(places) == count, places
    for point in points:
        assert any(distance_km(*point, p.lat, p.lon) < 15 for p in places), (point, places)


# (id, sentence): no place at all in these.
NOT_PLACES = [
    ("person-title-and-given-name", "التقى الرئيس أحمد الشرع وفداً من رجال الأعمال."),
    ("common-word-door", "فتح الاتفاق الباب أمام مفاوضات جديدة."),
    ("common-word-revolution", "احتفل السوريون بذكرى الثورة في الساحات."),
    ("channel-not-town", "قالت قناة الميادين إن الاجتماع انتهى دون نتائج."),
    ("capital-as-government", "أعلنت واشنطن فرض عقوبات جديدة، وردت طهران ببيان غاضب."),
    ("capital-as-source", "يتلقى الجهاز دعماً واسعاً من واشنطن منذ عامين."),
    ("vague-regions", "تنشط الخلايا في شمال شرقي سوريا وفي البادية السورية وعلى ضفاف نهر الفرات."),
    ("countries-are-not-places", "زار الوفد لبنان والعراق ثم عاد إلى سوريا."),
    ("ambassador-not-town", "التقت السفيرة الأمريكية بممثلين عن المجتمع المدني."),
    ("prophet-name-not-crossing", "قال إبراهيم الخليل إن الجمعية ستواصل عملها."),
    ("months-and-words", "في شهر آذار الماضي نفذت القوات عملية أمنية على الحدود."),
    ("a-man-named-ali", "قال علي سنجار إن الجمعية ستواصل عملها."),
    # Iraqi towns named by common words: "the role", "Hashemite", "Chinese"
    ("town-names-that-are-words", "أكد الوزير دور المملكة الأردنية الهاشمية والشركات الصينية في المشروع."),
    # an outlet named after a place, its number after the name ("Suwayda 24")
    ("outlet-with-a-number", "Border guards shot dead three smugglers, the site Suwayda 24 reported."),
    # a verb and a noun that GeoNames also gives Turkish cities (Siirt, Bursa)
    ("words-not-turkish-cities", "سيّرت القوات دورية مشتركة، وارتفعت الأسهم مع إغلاق البورصة."),
]


@pytest.mark.parametrize("sentence", [c[1] for c in NOT_PLACES], ids=[c[0] for c in NOT_PLACES])
def test_rejects_false_places(gaz: Gazetteer, sentence: str) -> None:
    assert find_places(normalize(sentence), gaz, text=sentence) == []


def test_village_noun_does_not_pick_a_foreign_city(gaz: Gazetteer) -> None:
    sentence = "ضبطت القوات مستودعاً في قرية القيروان بريف الحسكة."
    places = find_places(normalize(sentence), gaz, text=sentence)
    assert all(p.country == "SY" for p in places), places


def test_each_place_once_with_mentions_and_surface_name(gaz: Gazetteer) -> None:
    text = "قصفت الطائرات مدينة دَيْر الزّور، ثم عادت إلى ديرالزور مساءً. وفي الرقة هدوء."
    places = find_places(normalize(text), gaz, text=text)
    deir = [p for p in places if distance_km(*DEIR_EZ_ZOR, p.lat, p.lon) < 15]
    assert len(deir) == 1 and deir[0].mentions == 2
    assert deir[0].name == "دَيْر الزّور"
    assert deir[0].country == "SY" and deir[0].geonameid


def test_name_without_text_is_the_matching_form(gaz: Gazetteer) -> None:
    places = find_places(normalize("وصلنا إلى القامشلي"), gaz)
    assert [p.name for p in places] == ["القامشلي"]


def test_gazetteer_roundtrip_and_version(tmp_path: Path) -> None:
    entries = [PlaceEntry("قرية", 1.0, 2.0, "SY", "village", 10, None, ("قريه",))]
    version = write_tsv(entries, tmp_path / "g.tsv")
    loaded = read_tsv(tmp_path / "g.tsv")
    assert loaded.version == version and loaded.entries == tuple(entries)
    assert Gazetteer.from_entries(entries).version == version


def test_shipped_gazetteer_loads_once() -> None:
    gaz = read_tsv()
    assert len(gaz.entries) > 1000 and len(gaz.version) == 16
    assert load_gazetteer() is load_gazetteer()


def test_seed_article_places(gaz: Gazetteer) -> None:
    seed = SEEDS / "004_29a3378cb13120d9.txt"
    if not seed.exists():
        pytest.skip("shared seeds not present")
    text = seed.read_text(encoding="utf-8")
    places = find_places(normalize(text), gaz, text=text)
    for point in (HASAKAH, RAQQA, DEIR_EZ_ZOR, TAL_ABYAD, AL_HOL_CAMP, (34.47, 40.94)):
        assert any(distance_km(*point, p.lat, p.lon) < 25 for p in places), point
    assert all(p.country == "SY" for p in places)


def test_no_vocabulary_list_holds_a_yaml_boolean() -> None:
    # an unquoted on/off/yes/no in a YAML list is a boolean, not the word: every list item must stay a word
    import yaml

    root = Path(__file__).resolve().parents[2] / "streams"

    def items(x: object) -> list[object]:
        if isinstance(x, dict):
            return [i for v in x.values() for i in items(v)]
        if isinstance(x, list):
            return [*x, *(i for v in x for i in items(v))]
        return []

    for path in root.rglob("*.yaml"):
        assert not any(isinstance(i, bool) for i in items(yaml.safe_load(path.read_text(encoding="utf-8")))), path
