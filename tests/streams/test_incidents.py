"""The incident coder: types, exclusions, one incident per event, places, actors and targets.

Texts are our own; `tests/streams/test_incidents_dates.py` and `..._counts.py`
cover dates and counts, `..._vocab.py` the vocabulary file.
"""

from __future__ import annotations

from datetime import date

import pytest

from marsad.schemas.facts import Place
from marsad.streams.extract.incidents import where
from marsad.streams.extract.places import find_places_and_countries
from marsad.streams.text.normalize import normalize
from tests.streams.incidents_support import incidents_of, resources


def _named(place: Place | None) -> str | None:
    """The place's name without a leading place noun (the places stage may quote "مدينة حمص")."""
    return place.name.removeprefix("مدينة ").removeprefix("قرية ") if place else None

# (id, text, expected types in article order)
TYPES = [
    ("clash", "اندلعت اشتباكات عنيفة بين مقاتلي العشائر وقوات قسد في مدينة الميادين.", ["armed_clash"]),
    ("attack-ied", "انفجرت عبوة ناسفة بدورية لقوات قسد في مدينة الحسكة.", ["attack"]),
    ("attack-killing-alone", "قتل شابان برصاص مجهولين في مدينة درعا.", ["attack"]),
    ("a-security-ambush-that-killed", "تمكنت قوة من الشرطة من قتل اثنين من عناصر داعش في كمين محكم قرب ناحية الرشاد.",
     ["attack"]),
    ("a-search-operation", "أعلنت السلطات شن عملية تفتيش في أحد أحياء مدينة بغداد بحثاً عن مطلقي الصواريخ.",
     ["arrest_raid"]),
    ("found-dead-is-a-killing", "A local official was found dead near the town of Tafas on Sunday.", ["attack"]),
    ("a-strong-explosion-alone", "شهدت مدينة طرطوس انفجاراً قوياً قرب المرفأ أثار الهلع بين السكان.", ["attack"]),
    ("a-headline-s-present-kills", "Army kills four smugglers crossing the border from Syria", ["attack"]),
    ("a-factory-raided-is-a-find", "داهمت دورية للجيش معملاً لتصنيع حبوب الكبتاغون قرب بلدة الهرمل وعملت على تفكيكه.",
     ["seizure"]),
    ("shelling-is-attack", "استهدف قصف مدفعي أحياء مدينة درعا.", ["attack"]),
    ("air-raid", "شنت طائرات حربية غارات جوية على مدينة البوكمال.", ["airstrike"]),
    ("drone-attack-is-airstrike", "قتل ثلاثة مدنيين بهجوم بطائرة مسيرة على سيارة في مدينة القامشلي.", ["airstrike"]),
    ("arrest", "ألقت قوات الأمن القبض على خلية لتنظيم داعش في مدينة الحسكة.", ["arrest_raid"]),
    ("seizure", "ضبطت الجمارك شحنة كبتاغون في مدينة حمص.", ["seizure"]),
    ("haul-leads-seizure", "ضبطت الشرطة مليون حبة كبتاغون واعتقلت ثلاثة أشخاص في مدينة حمص.", ["seizure"]),
    ("stopping-a-truck-is-seizure", "أوقفت دورية للجمارك شاحنة محملة بالمازوت المهرب في مدينة حمص.", ["seizure"]),
    ("people-lead-arrest", "فككت قوات الأمن شبكة تهريب واعتقلت خمسة من أفرادها في مدينة حمص.", ["arrest_raid"]),
    ("kidnapping", "اختطف مسلحون مجهولون شاباً على طريق في ريف درعا.", ["kidnapping"]),
    ("protest", "خرجت مظاهرة حاشدة في مدينة القامشلي ضد قرارات الإدارة.", ["protest"]),
    ("displacement", "غادرت دفعة جديدة من العائلات مخيم الهول متجهة إلى مدينة دير الزور.", ["displacement"]),
    ("strategic-meeting", "اجتمع وفد أمريكي مع قيادة قسد في مدينة القامشلي.", ["strategic"]),
    ("strategic-sanctions", "فرضت وزارة الخزانة الأمريكية عقوبات على ممولين لحزب الله.", ["strategic"]),
    ("strategic-deployment", "دفعت القوات الحكومية بتعزيزات عسكرية جديدة إلى مدينة الميادين.", ["strategic"]),
    ("english-clash", "Clashes broke out between tribal fighters and the SDF in Deir ez-Zor.", ["armed_clash"]),
    ("english-drone", "A drone strike hit a car near Qamishli, killing two.", ["airstrike"]),
    ("english-arrest", "Security forces arrested three suspects in a raid in Kirkuk.", ["arrest_raid"]),
    ("english-seizure", "Jordanian forces seized 2 million Captagon pills at the border.", ["seizure"]),
    ("english-kidnapping", "Gunmen kidnapped a doctor in Daraa.", ["kidnapping"]),
    ("english-protest", "Hundreds protested in Qamishli against the decision.", ["protest"]),
    ("english-repatriation", "A batch of 100 Iraqi families left al-Hol camp for Iraq.", ["displacement"]),
    ("english-meeting", "The US envoy met SDF commanders in Hasakah.", ["strategic"]),
    ("strategic-phone-call", "بحث الرئيسان في اتصال هاتفي الأوضاع في سوريا.", ["strategic"]),
    # a source speaking to a reporter by phone is no call between officials: the bomb is the news
    ("phone-call-with-a-reporter", "وقال مصدر أمني في اتصال هاتفي مع مراسل الوكالة إن العبوة الناسفة "
     "انفجرت بدورية للجيش في مدينة كركوك.", ["attack"]),
    ("isis-raid-that-abducts", "داهم عناصر داعش قرية في مدينة خانقين واختطفوا ثلاثة مدنيين.", ["kidnapping"]),
    ("security-raid", "داهمت قوات الأمن وكراً لداعش واعتقلت ثلاثة في مدينة الموصل.", ["arrest_raid"]),
    # an arrest campaign's targets are no attack
    ("policy-targets-a-trade", "قتل جنديان بهجوم في مدينة كركوك. وقالت واشنطن إنها ستواصل استهداف تجارة الكبتاغون.",
     ["attack"]),
    ("campaign-targeted", "اعتقلت قسد عشرة أشخاص في مدينة الحسكة. وقالت إن الحملة استهدفت خلايا داعش.",
     ["arrest_raid"]),
    ("off-topic", "فاز المنتخب الوطني على ضيفه بهدفين في مباراة ودية.", []),
    # a cordon round the scene is no arrest; "happened" is no signing; clouds are no withdrawal
    ("cordon-is-no-arrest", "انفجرت عبوة ناسفة بدورية للجيش في مدينة كركوك. وفرضت القوات طوقاً أمنياً حول المكان.",
     ["attack"]),
    ("happened-is-no-signing", "وقع الانفجار قرب حاجز للجيش في مدينة جاسم ما أدى إلى مقتل عنصر.", ["attack"]),
    ("clouds-are-no-withdrawal", "تتأثر مدينة أربيل بتدفق السحب الممطرة خلال الأيام الثلاثة.", []),
    # Israel's "attack" on Syria is from the air or by missile
    ("israeli-missile-attack", "أفادت وسائل إعلام بوقوع هجوم صاروخي إسرائيلي على مواقع في ريف دمشق.", ["airstrike"]),
    ("a-house-stormed-is-a-raid", "توغلت قوة في بلدة جباتا الخشب واقتحمت منزلاً واعتقلت شاباً.", ["arrest_raid"]),
    ("a-cell-caught-is-an-arrest", "ضبطت القوات الأمنية خلية إرهابية في مدينة كركوك.", ["arrest_raid"]),
    ("a-delegation-arrives", "وصل وفد رفيع المستوى إلى العاصمة دمشق للقاء الرئيس.", ["strategic"]),
    ("israeli-attack-en", "An Israeli strike hit a weapons depot near Damascus airport.", ["airstrike"]),
    ("a-rocket-shell-fell", "سقطت قذيفة صاروخية إلى جانب مركز للجيش في بلدة القصر.", ["attack"]),
    ("katyusha", "أصيب جنود إثر تعرض ثكنة للجيش في بلدة القصر لصاروخ كاتيوشا.", ["attack"]),
    ("shells-fired", "أطلق مسلحون عشرات القذائف على بلدات في ريف الهرمل.", ["attack"]),
    ("shot-by-a-bullet", "أصيب شاب بجروح إثر استهدافه بطلق ناري في بلدة المسيفرة.", ["attack"]),
    ("rules-of-engagement-with-dead-is-a-clash", "تم تطبيق قواعد الاشتباك مع المهربين ما أدى إلى مقتل 27 شخصاً.",
     ["armed_clash"]),
    ("rockets-on-an-air-base-are-an-attack", "سقطت صواريخ كاتيوشا على قاعدة عين الأسد الجوية.", ["attack"]),
    ("rockets-on-an-air-base-are-an-attack-en", "Katyusha rockets struck Ain al-Asad air base on Monday.", ["attack"]),
    ("israeli-attacks-are-airstrikes", "هجمات إسرائيلية على مواقع عسكرية في محيط مدينة مصياف.", ["airstrike"]),
    ("an-attack-foiled", "أحبطت القوات هجوماً لداعش على حاجز في مدينة كركوك.", ["attack"]),
    ("a-drone-attack-foiled-en", "SDF forces foiled hostile drone attacks against the Conoco gas field.", ["airstrike"]),
    ("an-assault-foiled", "أعلنت قوات الحشد إحباط تعرض لعناصر داعش قرب قضاء خانقين.", ["attack"]),
    ("held-by-armed-groups", "احتجزت مجموعات مسلحة ثمانية مواطنين مع سياراتهم في مدينة شهبا.", ["kidnapping"]),
    ("stopped-by-gunmen", "أوقفه مسلحون على الطريق قرب مدينة شهبا واقتادوه إلى جهة مجهولة.", ["kidnapping"]),
    ("gunmen-stopped-by-a-patrol", "أوقفت دورية مسلحين مجهولين قرب مدينة شهبا.", ["arrest_raid"]),
    ("rockets-hit-en", "Three rockets hit Balad air base north of Baghdad on Monday, the army said.", ["attack"]),
    ("two-attacks-foiled", "وأحبط الهجومان على قاعدة بلد الجوية ولم يسفرا عن ضحايا.", ["attack"]),
    ("a-killing-verb-alone", "وقال الضابط إن اثنين من عناصر الحشد قتلا اليوم في قرية قرب مدينة الموصل.", ["attack"]),
    ("gunmen-raiding-kidnap", "داهم مسلحون مجهولون منزلاً في قرية عريقة وخطفوا صاحبه.", ["kidnapping"]),
    ("a-tight-ambush-of-the-police-is-an-operation", "نفذت الشرطة كميناً محكماً في بلدة سرغايا وضبطت شحنة أسلحة.",
     ["arrest_raid"]),
    ("captives-of-an-isis-attack", "Eight soldiers were killed and three others were arrested in an attack by ISIS "
     "militants on a checkpoint near Tadmur.", ["attack"]),
    ("a-smuggling-foiled-carried-shells", "أعلنت السلطات إفشال محاولة تهريب أسلحة ضمت صواريخ وقذائف إلى لبنان.",
     ["seizure"]),
    ("two-drones", "استهدف مركز دبلوماسي في مطار بغداد بمسيرتين مفخختين.", ["airstrike"]),
    ("two-mortar-shells", "سقطت قذيفتا هاون على قاعدة بلد الجوية مساء الثلاثاء.", ["attack"]),
    ("a-cell-dismantled", "فككت قوى الأمن الداخلي، ليلة أمس، خلية لتنظيم داعش في مدينة الشدادي.", ["arrest_raid"]),
    ("the-cell-dismantled", "أعلنت القوات تفكيك الخلية في بلدة ذيبان.", ["arrest_raid"]),
    ("caught-with-the-doer-between", "قبضت القوات الأمنية على أربعة مطلوبين في مدينة الطبقة.", ["arrest_raid"]),
    ("a-hand-grenade", "ألقى مجهولون قنبلة يدوية على منزل في بلدة هجين.", ["attack"]),
    ("a-suicide-operation", "نفذ انتحاري عملية انتحارية بسيارة ملغمة على حاجز في بلدة الشدادي.", ["attack"]),
    ("a-landmine-blast", "انفجر لغم أرضي بسيارة مدنية قرب بلدة القريتين.", ["attack"]),
    ("a-hideout-found", "وصلت قوة من الجيش إلى مخبأ لعصابات داعش في منطقة الضبعة.", ["seizure"]),
    # "مصدر مطلع" is an informed source, not "early" (a vague time, another occasion): one event
    ("an-informed-source", "قتل عنصر بضربة مسيرة قرب مدينة عامودا اليوم.\nوقال مصدر مطلع إن المسيرة استهدفت "
     "سيارة العنصر قرب مدينة عامودا.", ["airstrike"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in TYPES], ids=[c[0] for c in TYPES])
def test_incident_type(text: str, expected: list[str]) -> None:
    assert [i.type for i in incidents_of(text)] == expected


# (id, text): nothing here is an incident reported as news (rule 2)
NOT_INCIDENTS = [
    ("what-often-happens", "وكثيراً ما توقع المواجهات بين الطرفين قتلى في ريف دير الزور."),
    ("a-report-passed-on", "ونقل موقع إخباري عن مصدر أمني قوله إن الطريق قرب قضاء الشرقاط مغلق أمام العائلات."),
    ("rules-of-engagement-alone", "وأكد المصدر أن القوات ستستمر بتطبيق قواعد الاشتباك المعتمدة مع المهربين على الحدود."),
    ("a-cell-s-record", "وقال مدير الشرطة إن عناصر الخلية فجروا العديد من العبوات الناسفة في قضاء الحويجة."),
    ("concern-is-a-statement", "The embassy said it was concerned about reports of violence against protesters in Sweida."),
    ("a-month-s-toll", "ووثقت الشبكة مقتل 36 شخصاً في محافظة درعا في شهر أيلول."),
    ("returns-over-years", "وأوضح أن أكثر من 1500 عائلة عادت من مخيم الهول خلال السنوات الماضية."),
    ("head-to-head", "تصدر الفريق الترتيب بفارق المواجهات المباشرة بعد تعادله مع منافسه."),
    ("similar-attacks-before", "وجاء الهجوم بعد هجمات مشابهة في مدينة كركوك."),
    ("a-rising-tide", "وزادت وتيرة هجمات التنظيم في محافظة صلاح الدين خلال الشهور الأخيرة."),
    ("over-the-years", "The smuggling trade across the border has exploded in recent years."),
    ("a-standing-force", "The US currently has about 900 troops deployed in eastern Syria."),
    ("a-section-heading", "القصف العسكري على القرى الحدودية:\nوأعلنت الوزارة خطة جديدة للتنمية."),
    ("a-cell-s-record", "وقالت المديرية إن الخلية مسؤولة عن التفجيرات التي حدثت في مدينة كركوك."),
    ("a-confession", "The suspects admitted to conducting attacks on security forces in Kirkuk."),
    ("background-since", "تشهد المنطقة هجمات متكررة منذ عام 2019."),
    ("ongoing", "تضبط الأجهزة الأمنية بشكل مستمر شحنات من المخدرات على الحدود."),
    ("ongoing-recent-months", "وتزايدت خلال الأشهر الماضية عمليات الخطف في ريف درعا."),
    ("future", "من المقرر أن يعقد اجتماع بين الطرفين الأسبوع المقبل."),
    ("warning", "حذر مسؤول من هجمات محتملة لتنظيم داعش في المنطقة."),
    ("pluperfect-history", "وكانت قوات الأمن قد ضبطت شحنة مماثلة في وقت سابق."),
    ("recalled-year", "يذكر أن الكبتاغون كان مصدر تمويل رئيسياً خلال سنوات الحرب."),
    ("caption", "صورة أرشيفية لعناصر من قسد خلال اشتباكات سابقة"),
    ("purpose", "نشرت القوات تعزيزات بهدف منع هجمات التنظيم."),
    ("sport", "وفي الشوط الثاني كثف المدرب من الهجوم وسجل البديل هدف الفوز."),
    ("not-a-seizure-phrase", "بحث الوزيران ملفات ضبط الحدود المشتركة بين البلدين."),
    ("suspects-past-deeds", "وأوضح البيان أن الموقوفين متورطون بتنفيذ هجمات ضد القوات الأمنية."),
    ("last-month", "وتأتي الزيارة بعد اتصال هاتفي جرى الشهر الماضي بين الرئيسين."),
    ("english-background", "ISIS has continued to carry out attacks since its territorial defeat."),
    ("english-future", "The ministry will hold a meeting with tribal leaders next week."),
    ("a-week-s-total", "وأعلن التنظيم مسؤوليته عن تنفيذ خمس هجمات في سوريا خلال الأسبوع، أسفرت عن مقتل 12 عنصراً."),
    ("a-total-since-the-year-began", "وقتل عشرات المسلحين في 15 عملية جوية نفذتها طائرات مسيرة منذ مطلع العام الحالي."),
    ("ground-seized-en", "IS militants seized large parts of the country before their defeat."),
    ("a-protest-activist", "وقال إن الناشط في الاحتجاجات كان يقيم في حي الجمهورية بمدينة الكوت."),
    ("a-campaign-s-aim", "استهدفت حملة التلقيح أكثر من مئة ألف طفل في مدينة دير الزور."),
    ("a-drone-recovered", "The fighters also recovered a drone that crashed near the town of Hajin."),
    ("a-drone-fell", "وأفاد الأهالي بأن طائرة مسيرة سقطت في أرض زراعية قرب بلدة الشحيل."),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_INCIDENTS], ids=[c[0] for c in NOT_INCIDENTS])
def test_not_an_incident(text: str) -> None:
    assert incidents_of(text) == []


def test_an_event_told_twice_is_one_incident() -> None:
    text = ("مقتل عنصرين من قسد بهجوم في ريف الحسكة\n"
            "قتل عنصران من قوات سوريا الديمقراطية وأصيب ثالث بهجوم مسلح على حاجز في مدينة الحسكة.\n"
            "وقالت مصادر محلية إن الهجوم استهدف الحاجز بالأسلحة الرشاشة.")
    [attack] = incidents_of(text)
    assert (attack.type, attack.killed, attack.injured) == ("attack", 2, 1)
    assert _named(attack.place) == "الحسكة"


def test_a_second_event_with_its_own_day_is_its_own_incident() -> None:
    text = ("قتل جنديان بهجوم على حاجز في مدينة كركوك اليوم الأربعاء.\n"
            "وكان ثلاثة جنود قد قتلوا بهجوم مماثل في مدينة كركوك أمس الثلاثاء.")
    assert [(i.type, i.killed) for i in incidents_of(text)] == [("attack", 2), ("attack", 3)]


def test_an_event_of_last_week_is_not_the_one_of_a_named_day() -> None:
    text = ("Security forces arrested two ISIS suspects in Hasakah on Monday.\n"
            "Last week, security forces arrested four suspects in Hasakah.")
    assert [i.arrested for i in incidents_of(text)] == [2, 4]


def test_events_in_distant_places_are_two_incidents() -> None:
    text = ("ضبطت الشرطة شحنة كبتاغون في مدينة حمص.\n"
            "كما ضبطت شحنة أخرى في مدينة الحسكة.")
    assert [_named(i.place) for i in incidents_of(text)] == ["حمص", "الحسكة"]


def test_an_attack_retold_as_an_airstrike_is_one_incident() -> None:
    text = ("قتل ثلاثة مدنيين بهجوم على سوق في مدينة إدلب. "
            "ونفذت طائرات حربية روسية غارة جوية على السوق.")
    assert [(i.type, i.killed) for i in incidents_of(text)] == [("airstrike", 3)]


def test_where_the_victims_came_from_is_not_the_place() -> None:
    [attack] = incidents_of("انفجرت عبوة ناسفة بسيارة تقل عائلة نازحة من قضاء الحويجة على طريق الدبس ما أدى إلى "
                            "مقتل شخصين.")
    assert (attack.place and attack.place.name, attack.killed) == ("الدبس", 2)
    [near] = incidents_of("انفجرت عبوة ناسفة لدى مرور أسر نازحة من قضاء الحويجة قرب ناحية الدبس ما أدى إلى مقتل "
                          "شخصين.")
    assert near.place and near.place.name == "الدبس"


def test_two_reports_joined_by_two_dots_are_two_incidents() -> None:
    text = ("وفي بغداد، انفجرت عبوة ناسفة بدورية للشرطة في منطقة الراشدية، ما أسفر عن إصابة 4 أشخاص.. كما انفجرت "
            "عبوة ناسفة قرب سوق شعبي في مدينة بعقوبة، ما أسفر عن مقتل مدنيين اثنين.")
    first, second = incidents_of(text)
    assert (first.injured, first.killed, second.killed) == (4, None, 2)


def test_strikes_by_another_doer_after_an_attack_are_their_own_incident() -> None:
    text = ("شن تنظيم داعش هجوماً على مقر للحرس الثوري الإيراني في مدينة الميادين. "
            "وفي سياق آخر شنت القوات الروسية غارات جوية على مواقع في البادية.")
    assert [(i.type, i.actors) for i in incidents_of(text)] == [("attack", ["isis"]),
                                                                  ("airstrike", ["russian_forces"])]


def test_a_town_and_the_far_corner_of_its_governorate_named_are_one_incident() -> None:
    text = ("قتل مقاتلان بقصف جوي استهدف مقراً للحشد الشعبي غربي الأنبار. "
            "وتعرض المقر لقصف جوي عنيف في قضاء القائم قرب الحدود.")
    [strike] = incidents_of(text)
    assert (strike.type, _named(strike.place), strike.killed) == ("airstrike", "القائم", 2)


def test_a_telling_that_places_itself_by_the_others_town_is_that_event() -> None:
    text = ("اعتقال إرهابيين في الموصل\n"
            "أعلنت الاستخبارات العسكرية اعتقال إرهابيين اثنين في منطقة القيارة جنوبي مدينة الموصل.")
    [arrest] = incidents_of(text)
    assert (_named(arrest.place), arrest.arrested) == ("القيارة", 2)


def test_clashes_an_attack_led_to_are_that_attack() -> None:
    text = "قتل جنديان بهجوم لداعش قرب المقدادية. واندلعت اشتباكات بين الجيش والمهاجمين."
    assert [(i.type, i.killed) for i in incidents_of(text)] == [("attack", 2)]


def test_clashes_told_before_an_attack_are_not_its_sequel() -> None:
    text = ("واندلعت اشتباكات بين قسد وخلايا داعش خلال المداهمة. "
            "ويوم الاثنين قتل مدني بهجوم لداعش في مدينة الميادين.")
    assert [i.type for i in incidents_of(text, published=date(2025, 1, 8))] == ["armed_clash", "attack"]


def test_an_arrest_the_force_was_on_its_way_to_make_is_none() -> None:
    text = "تعرضت دورية في طريقها لاعتقال مطلوبين في مدينة كركوك لكمين مسلح."
    assert [i.type for i in incidents_of(text)] == ["attack"]


def test_clashes_with_a_place_of_their_own_are_another_incident() -> None:
    text = "قتل جنديان بهجوم لداعش قرب المقدادية. واندلعت اشتباكات بين الجيش والعشائر في مدينة البصرة."
    assert [i.type for i in incidents_of(text)] == ["attack", "armed_clash"]


def test_an_event_told_as_separate_is_its_own_incident() -> None:
    for joint in ("وفي عملية منفصلة،", "وفي سياق متصل،"):
        text = f"ضبطت الجمارك مليون حبة كبتاغون في مدينة القائم. {joint} ضبطت القوات مستودع أسلحة في مدينة القائم."
        assert [i.type for i in incidents_of(text)] == ["seizure", "seizure"], joint
    text = ("A Turkish drone struck a car near the entrance of Hasakah, killing two. "
            "Another Turkish drone hit a car in the Tal Tamr district.")
    assert [_named(i.place) for i in incidents_of(text)] == ["Hasakah", "Tal Tamr"]


def test_an_arrest_and_a_seizure_of_one_operation_are_one_incident() -> None:
    text = ("ضبطت قوات الأمن 300 ألف حبة كبتاغون في مدينة حمص.\n"
            "وأسفرت العملية عن اعتقال أربعة متهمين بتهريب المخدرات.")
    [seizure] = incidents_of(text)
    assert (seizure.type, seizure.arrested) == ("seizure", 4)
    assert [q.value for q in seizure.quantities] == [300_000]


def test_evidence_is_the_sentence_as_written() -> None:
    text = "أعلنت وزارة الداخلية ضبط شحنة أسلحة في مدينة حمص.\nوتستمر التحقيقات مع الموقوفين."
    [seizure] = incidents_of(text)
    assert seizure.evidence == "أعلنت وزارة الداخلية ضبط شحنة أسلحة في مدينة حمص"


PLACES = [
    ("village-before-district", "ضبطت قسد مستودع أسلحة في قرية الهول التابعة لمدينة الحسكة.", "الهول"),
    ("countryside-is-vague", "قتل عنصر من قسد بهجوم مسلح في ريف الحسكة.", None),
    ("dateline-is-not-the-place", "دمشق - سانا\nقتل عنصر من قسد بهجوم مسلح في مدينة الحسكة.", "الحسكة"),
    ("source-is-not-the-place", "قال مصدر في شرطة كركوك إن مسلحين هاجموا حاجزاً في مدينة الحويجة.", "الحويجة"),
    ("unit-is-not-the-place", "قتل جنديان بهجوم على فوج تابع لقيادة عمليات كركوك.", None),
    # near a town, or in the district named after it: the nearest town named (incidents.md rule 4)
    ("near-is-the-town", "Gunmen attacked a checkpoint near Kirkuk.", "Kirkuk"),
    ("near-is-the-town-ar", "هاجم مسلحون نقطة للجيش قرب داقوق وقتلوا جنديا.", "داقوق"),
    ("district-is-its-town", "قتل مدني بهجوم مسلح على قرية بأطراف قضاء خانقين.", "خانقين"),
    ("district-is-its-town-en", "Gunmen attacked an army post in Khanaqin district.", "Khanaqin"),
    ("province-of-is-vague", "Gunmen attacked a checkpoint in the province of Kirkuk.", None),
    ("named-place-beats-near", "هاجم مسلحون حاجزاً قرب الحسكة في قرية الهول.", "الهول"),
    ("countryside-with-direction-is-vague", "قتل مدني بهجوم مسلح في الريف الشمالي لدير الزور.", None),
    ("a-town-placing-the-place-is-not-it", "قتل ثلاثة جنود بهجوم شرقي مدينة سامراء (40 كم) جنوب تكريت.", "سامراء"),
    ("sector-is-not-the-place", "قال مسؤول أمني قاطع الأنبار إن القوات اعتقلت خمسة مطلوبين.", None),
    # a side of a capital is tens of kilometres of ground: no place of an event
    ("side-of-a-capital-is-no-place", "قتل عشرة عناصر من الحشد الشعبي بهجوم لداعش شمال بغداد.", None),
    # people on the move: the place they left (incidents.md rule 4)
    ("displacement-to-the-destination-when-only-it-is-named", "نزحت اليوم 50 عائلة إلى مخيم الجدعة في محافظة نينوى.",
     "مخيم الجدعة"),
    ("displacement-is-the-place-left", "وصلت 157 عائلة إلى مخيم الجدعة في نينوى عائدة من مخيم الهول.", "مخيم الهول"),
    ("a-protest-is-where-its-people-live", "خرج أهالي بلدة الكسرة اليوم بمظاهرة ضد قسد.", "الكسرة"),
    ("hometown-is-not-the-place", "قتل شاب برصاص مجهولين في مدينة درعا، وهو من بلدة نصيب.", "درعا"),
    ("origin-is-not-the-place", "اختطف مسلحون شاباً ينحدر من مدينة درعا على طريق في مدينة حمص.", "حمص"),
    ("a-name-that-is-a-verb-after-its-place-word", "قتل مدني بغارة مسيرة قرب بلدة حضر.", "بلدة حضر"),
    ("the-city-of", "Thousands protested on Friday in the southern city of Sweida.", "Sweida"),
    ("english-spelling-of-a-town", "Gunmen attacked a checkpoint in Busaira on Monday.", "Busaira"),
    ("english-spelling-of-a-crossing", "Customs officers seized pills at the Nassib crossing.", "Nassib crossing"),
    ("governorates-listed-are-vague", "اعتقلت القوات 12 متهماً في محافظات نينوى وكركوك وصلاح الدين.", None),
    ("the-desert-of-a-town-is-near-it", "قتل عنصران بانفجار عبوة ناسفة بسيارة عسكرية في بادية العشارة.", "العشارة"),
    ("the-desert-of-a-governorate-is-vague", "قتل عنصران بانفجار عبوة ناسفة بسيارة عسكرية في بادية حمص.", None),
    ("origin-a-word-apart", "انفجرت عبوة ناسفة في مدينة الميادين، وينحدر القتيل من بلدة مصياف.", "الميادين"),
    # a road is named after where it starts and where it goes: not after its place; a road out of a capital
    ("where-a-road-goes-is-no-place", "استهدفت طائرة مسيرة سيارة على طريق القامشلي – المالكية.", "القامشلي"),
    ("the-road-of-a-town", "قتل شاب بانفجار لغم على طريق بلدة القريتين.", "القريتين"),
    ("a-road-out-of-a-capital", "قتل ضابط برصاص مجهولين على أوتوستراد دمشق – درعا.", "درعا"),
    # a square or a street named after a place is in the city it is in
    ("a-roundabout-named-after-a-town", "استهدفت مسيرة سيارة قرب دوار نصيبين في مدينة القامشلي.", "القامشلي"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in PLACES], ids=[c[0] for c in PLACES])
def test_incident_place(text: str, expected: str | None) -> None:
    [incident] = incidents_of(text)
    assert _named(incident.place) == expected


@pytest.mark.parametrize(("text", "actors", "targets"), [
    ("شن تنظيم داعش هجوماً على حاجز لقوات قسد في مدينة الحسكة.", ["isis"], ["sdf"]),
    ("قتل عنصران من قسد بهجوم لداعش في مدينة الحسكة.", ["isis"], ["sdf"]),
    ("ألقت قوات قسد القبض على خلية لتنظيم داعش في مدينة الحسكة.", ["sdf"], ["isis"]),
    ("خرجت مظاهرة في مدينة دير الزور ضد قسد.", [], ["sdf"]),
    ("اندلعت اشتباكات بين داعش وقسد في مدينة دير الزور.", ["isis", "sdf"], []),
    ("Security forces arrested two ISIS suspects in Kirkuk.", [], ["isis"]),
    ("قتل جنديان بانفجار عبوة ناسفة من مخلفات تنظيم داعش في مدينة كركوك.", [], []),
    ("هاجم عناصر داعش نقطة للجيش في مدينة كركوك.", ["isis"], []),
    ("قُتل قائدان في الحشد الشعبي بهجوم في مدينة كركوك.", [], ["pmf"]),
    ("استهدفت طائرة مسيرة سيارة لقسد في مدينة القامشلي.", [], ["sdf"]),
    ("انفجرت العبوة الناسفة وسط مجموعة من الحشد الشعبي في مدينة كركوك.", [], ["pmf"]),
    ("انفجرت سيارة مفخخة تابعة لداعش على حاجز في مدينة كركوك.", ["isis"], []),
    ("شنت قسد حملة دهم على قرى بدعم من التحالف الدولي واعتقلت خمسة من عناصر داعش في مدينة الحسكة.",
     ["sdf", "coalition"], ["isis"]),
    ("أفاد مصدر بوقوع هجوم إرهابي لعناصر داعش على القطعات الأمنية في مدينة كركوك.", ["isis"], []),
    ("قتل أربعة جنود في كمين نصبه عناصر من تنظيم داعش لرتل عسكري قرب مدينة كركوك.", ["isis"], []),
    ("هاجم مقاتلو العشائر مقرا لقسد في مدينة الحسكة.", [], ["sdf"]),
    # who tells of a strike is its source; who claims it, its doer; a name holding another is no role
    ("وقالت قوى الأمن الداخلي إن طائرة مسيرة تركية استهدفت سيارة في مدينة القامشلي.", [], []),
    ("The SDF said a Turkish drone struck a car near Qamishli.", [], []),
    ("أعلن تنظيم داعش مسؤوليته عن هجوم على حاجز في مدينة كركوك.", ["isis"], []),
    ("قتل مدنيان بغارة للتحالف الدولي لمحاربة تنظيم داعش في مدينة سرمدا.", ["coalition"], []),
    ("دمرت غارة مستودعات أسلحة لحزب الله في مدينة القصير.", [], ["hezbollah"]),
    ("قتل مقاتلان من الحشد الشعبي في هجوم على حاجز في مدينة كركوك.", [], ["pmf"]),
    ("دمرت غارة قاذفات تابعة لقوات النظام في ريف درعا الغربي.", [], ["assad_regime"]),
    ("استهدفت طائرة مسيرة تابعة للتحالف الدولي سيارة في مدينة الرقة.", ["coalition"], []),
    ("قتل شابان برصاص مجهولين في مدينة الحسكة، تبين أنهما منتسبان إلى قوات سوريا الديمقراطية.", [], ["sdf"]),
    ("قتل المسؤول في حزب الله بغارة إسرائيلية على سيارته في مدينة القصير.", [], ["hezbollah"]),
    ("قال مصدر إن قطعات الحشد الشعبي في أطراف داقوق تعرضت لهجوم مسلح.", [], ["pmf"]),
    ("اعتقلت القوات الأمنية خمسة من إرهابيي داعش في مدينة الموصل.", [], ["isis"]),
    ("وصلت قوة من الجيش إلى مخبأ لداعش في منطقة الضبعة.", [], ["isis"]),
    ("هجوم لداعش يكبد قسد خسائر في ريف مدينة الرقة.", ["isis"], ["sdf"]),
    # who set the ambush did it; what the attack is blamed on did it; who fought an attack off was attacked
    ("نصب عناصر من تنظيم داعش كميناً لدورية للجيش قرب قضاء طوزخورماتو.", ["isis"], []),
    ("Two soldiers were killed in an attack on an army post near Tuz Khurmatu blamed on the Islamic State group.",
     ["isis"], []),
    ("أحبطت قوة من الحشد الشعبي هجوماً لداعش على نقاط أمنية قرب قضاء خانقين.", ["isis"], ["pmf"]),
    ("اعتقلت القوات عشرة من الدواعش في قضاء الحويجة.", [], ["isis"]),
    ("تعرض معسكر تابع لجيش النظام التركي في قضاء الشيخان لقصف بالصواريخ.", [], []),
    # "وعلى الفور" is no "against"; a side's backer has no role
    ("وعلى الفور اعتقلت قوات سوريا الديمقراطية ثلاثة مشتبهين في مدينة الطبقة.", ["sdf"], []),
    ("قتل عنصران من قوات قسد الموالية للجيش الأمريكي بضربة مسيرة قرب مدينة عامودا.", [], ["sdf"]),
    ("هاجمت الفصائل الموالية لتركيا مواقع قسد قرب مدينة منبج.", [], ["sdf"]),
    # the subject of a verb of dying, with no object, died: "قتلوا بانفجار"; with one it killed: "قتلوا ثلاثة رعاة"
    ("أكد المصدر أن ثلاثة عناصر من قوات النظام قتلوا في مدينة تدمر.", [], ["assad_regime"]),
    ("قال المرصد إن مسلحي داعش قتلوا ثلاثة رعاة في بادية مدينة تدمر.", ["isis"], []),
    ("أوقفت قوات سوريا الديموقراطية قائد المجلس العسكري في مدينة الحسكة.", ["sdf"], []),
    ("قتل أربعة عناصر باستهداف خلايا تنظيم داعش لسيارتهم قرب بلدة هجين.", ["isis"], []),
    ("ISIS fighters attacked a checkpoint in Kirkuk.", ["isis"], []),
    ("قالت صحيفة الوطن المقربة من النظام السوري إن مسلحين هاجموا حاجزاً في مدينة درعا.", [], []),
    ("نعت هيئة الحشد الشعبي ثلاثة من عناصرها الذين قتلوا في انفجار بقاعدة في جرف الصخر.", [], ["pmf"]),
    ("The clashes began when Iraqi army units launched an operation against ISIS suspects in Tarmiyah.", [],
     ["isis"]),
    ("أحبطت قوات قسد هجوماً بطائرات مسيرة على حقل كونيكو للغاز.", [], ["sdf"]),
    ("قتل معاون قائد اللواء التاسع عشر في الحشد الشعبي بانفجار عبوة ناسفة في صحراء الأنبار.", [], ["pmf"]),
    ("قتل 13 شرطياً في هجوم لتنظيم «داعش» في مدينة كركوك.", ["isis"], []),
    ("Iraqi forces killed three ISIS militants in an airstrike near Kirkuk.", [], ["isis"]),
    ("Three soldiers were killed in an attack waged by a group of ISIS militants near Haditha.", ["isis"], []),
    ("أفاد مصدر بوقوع هجوم إرهابي لعناصر عصابات داعش على نقطة في مدينة كركوك.", ["isis"], []),
    # the subject before a verb ending in the trigger "كميناً" (its ك is no preposition); the nisba of ISIS; an
    # assault foiled ("تعرض" after a word of foiling) by whom it was aimed at
    ("قال المصدر إن عناصر من تنظيم داعش، نصبوا كميناً لرعاة قرب قضاء خانقين ما أسفر عن مقتل ثلاثة.", ["isis"], []),
    ("ألقت القوات الأمنية القبض على سبعة داعشيين في قضاء الحويجة.", [], ["isis"]),
    ("أحبطت قوات الحشد الشعبي تعرضاً لعناصر داعش على نقاطها قرب قضاء خانقين.", ["isis"], ["pmf"]),
    # a base hosting a side's forces was hit with them; who confirms or accuses is a source
    ("سقطت صواريخ كاتيوشا على قاعدة بلد الجوية التي تضم قوات استشارية للتحالف الدولي.", [], ["coalition"]),
    ("سقطت قذائف على مطار أربيل، والتحالف الدولي يؤكد وقوع الهجوم.", [], []),
    ("اتهمت قسد تنظيم داعش بتنفيذ هجوم على حاجز في مدينة الحسكة.", ["isis"], []),
    ("شنت قوة تضم عناصر من قسد هجوماً على مواقع لداعش في بلدة ذيبان.", ["sdf"], ["isis"]),
    ("وقال المتحدث إن الهجوم على مطار أربيل وقع مساء الأحد، مشيراً إلى أن التحالف الدولي يقيّم الأضرار.", [], []),
    ("وخلال خروج قوة من الحشد الشعبي للإسناد، انفجرت عبوة على عجلة تابعة للقوة قرب قضاء خانقين.", [], ["pmf"]),
    ("قتل مدنيان بانفجار عبوة ناسفة لدى مرور سيارتهما من قضاء الحويجة الذي يسيطر عليه داعش.", [], []),
], ids=["attack-on-checkpoint", "attack-by-glued-lam", "arrest-of-cell", "protest-against", "clash-both-sides",
        "english-suspects", "leftover-bomb-is-no-attack-by", "verb-first-subject", "commanders-killed-in",
        "vehicle-of", "bomb-amid", "car-bomb-of", "supporting-force", "attack-of-fighters-glued", "ambush-set-by",
        "base-of-accusative", "teller-is-a-source", "teller-is-a-source-en", "claim-is-the-doer",
        "name-holding-another", "depots-of", "in-an-attack-is-no-subject", "belonging-to-is-hit",
        "aircraft-belonging-to-struck", "victims-affiliated-to", "official-of-is-hit",
        "subject-suffered-it", "terrorists-of-arrested", "a-hideout-of-is-hit", "who-suffers-losses", "who-set-the-ambush", "blamed-on-en",
        "who-foiled-it-was-attacked", "members-counted-are-hit",
        "another-regime-s-army", "at-once-is-no-against", "a-backer-has-no-role",
        "a-backer-between-has-no-role", "subject-who-died",
        "subject-who-killed", "sdf-spelt-with-waw", "doer-of-a-targeting",
        "fighters-who-attacked-en", "militants-killed-en", "waged-by-militants-en", "a-member-his-rank-between", "an-outlet-s-leaning", "its-own-members",
        "a-clash-against", "who-foiled-an-attack",
        "attack-of-the-organisation-glued", "fighters-glued-past-an-adjective",
        "ambush-verb-after-its-subject", "the-nisba-of-isis", "an-assault-foiled",
        "a-base-hosting-a-side", "who-confirms-is-a-source", "who-accuses-is-a-source", "a-force-made-of-a-side",
        "said-after-the-act", "a-blast-hit-the-force-named", "who-holds-the-ground-has-no-side"])
def test_actors_and_targets(text: str, actors: list[str], targets: list[str]) -> None:
    [incident] = incidents_of(text)
    assert (sorted(incident.actors), sorted(incident.targets)) == (sorted(actors), sorted(targets))


def test_an_abbreviation_does_not_end_the_sentence() -> None:
    [strike] = incidents_of("U.S. forces carried out air strikes near Albu Kamal on Tuesday.")
    assert strike.evidence.startswith("U.S. forces carried out air strikes")
    assert strike.actors == ["us_forces"]


def test_a_later_telling_adds_the_sides_it_names() -> None:
    text = ("قسد تعتقل عنصرين من داعش في مدينة الحسكة.\n"
            "ونفذت قوات قسد العملية في مدينة الحسكة بدعم من التحالف الدولي واعتقلت عنصرين من تنظيم داعش.")
    [raid] = incidents_of(text)
    assert (sorted(raid.actors), raid.targets) == (["coalition", "sdf"], ["isis"])


@pytest.mark.parametrize("text", [c[1] for c in PLACES] + [
    "قصف على القامشلي وبالقامشلي، ثم في قامشلي والحسكة ولالحسكة وفي الحسكةالجديدة",
], ids=[c[0] for c in PLACES] + ["forms-with-clitics"])
def test_place_mentions_from_the_engine_are_those_searched_for(text: str) -> None:
    res = resources()
    norm = normalize(text)
    places = where.forms(find_places_and_countries(norm, res.gazetteer)[0])
    assert places
    searched = where._mentions(norm, places)
    assert where._mentions(norm, places, res.incidents.matcher.automaton) == searched


def test_a_headline_total_over_two_places_is_no_one_event_s_count() -> None:
    text = ("اعتقال 11 مطلوباً في كركوك والأنبار\n"
            "اعتقلت قوة أمنية مطلوبين بتهم إرهابية في مدينة كركوك.\n"
            "وفي عملية منفصلة، اعتقلت قوة أخرى ثلاثة مطلوبين في مدينة الرمادي.")
    kirkuk, ramadi = incidents_of(text)
    assert (kirkuk.arrested, ramadi.arrested) == (None, 3)


def test_a_headline_count_of_one_place_stays() -> None:
    text = ("اعتقال 11 مطلوباً في كركوك\n"
            "اعتقلت قوة أمنية مطلوبين بتهم إرهابية في مدينة كركوك.")
    [kirkuk] = incidents_of(text)
    assert kirkuk.arrested == 11


def test_the_second_name_of_a_dateline_is_no_place() -> None:
    [arrest] = incidents_of("ERBIL, Kurdistan Region - Iraqi security forces arrested seven ISIS suspects.")
    assert arrest.place is None


def test_the_same_toll_told_as_a_clash_and_an_attack_is_one_event() -> None:
    text = ("أعلن الحشد الشعبي مقتل ثلاثة من عناصره وإصابة خمسة آخرين في اشتباك مع داعش في مدينة خانقين.\n"
            "وأشار البيان إلى أن الهجوم أسفر عن مقتل 3 عناصر وإصابة 5 آخرين بجروح.")
    [clash] = incidents_of(text)
    assert (clash.type, clash.killed, clash.injured) == ("armed_clash", 3, 5)


def test_a_sentence_opening_with_another_town_tells_another_event() -> None:
    text = ("قتل شابان برصاص مسلحين مجهولين في بلدة الشحيل بريف دير الزور.\n"
            "وفي بلدة ذيبان تعرض شاب لإطلاق نار أدى لإصابته.")
    shuhayl, dhiban = incidents_of(text)
    assert (_named(shuhayl.place), shuhayl.killed, shuhayl.injured) == ("الشحيل", 2, None)
    assert (_named(dhiban.place), dhiban.injured) == ("ذيبان", 1)



def test_a_total_of_several_events_is_no_one_event_s_count() -> None:
    text = ("شهدت محافظة دير الزور أمس حادثتي اغتيال أودت بحياة ثلاثة أشخاص.\n"
            "ففي بلدة الشحيل اغتال مجهولون شاباً بالرصاص.\n"
            "وفي مدينة الميادين قتل رجلان برصاص مسلحين.")
    shuhayl, mayadin = incidents_of(text, date(2025, 3, 4))
    assert (_named(shuhayl.place), shuhayl.killed) == ("الشحيل", 1)
    assert (_named(mayadin.place), mayadin.killed) == ("الميادين", 2)


def test_a_total_with_no_parts_told_stays() -> None:
    [attack] = incidents_of("قتل خمسة عناصر من الشرطة في هجومين منفصلين غرب مدينة الرقة.")
    assert attack.killed == 5


def test_killings_in_a_village_and_a_town_30_km_apart_are_two_events() -> None:
    text = ("اغتال مسلحون مجهولون مساء أمس شاباً في بلدة تسيل غربي درعا.\n"
            "وأمس، أطلق مسلحون مجهولون النار على شابين في مدينة الصنمين شمالي درعا ما أسفر عن مقتلهما.")
    tasil, sanamayn = incidents_of(text, date(2024, 4, 6))
    assert (_named(tasil.place), _named(sanamayn.place), sanamayn.killed) == ("تسيل", "الصنمين", 2)


def test_a_village_the_gazetteer_lacks_is_another_place_than_a_town_named() -> None:
    text = ("قتل عنصر من قسد بهجوم لداعش في بلدة البصيرة أمس.\n"
            "وفي بيان منفصل، أصيب عنصران من قسد برصاص مسلحين قرب قرية المويلح.")
    busaira, other = incidents_of(text, date(2024, 6, 14))
    assert (_named(busaira.place), busaira.killed, other.place, other.injured) == ("البصيرة", 1, None, 2)


def test_the_event_retold_near_a_village_the_gazetteer_lacks_is_one() -> None:
    text = ("قصفت القوات التركية قرى في ريف بلدة تل تمر ما أدى إلى إصابة 3 مواطنين.\n"
            "وأسفر القصف عن إصابة 3 مزارعين قرب قرية تل جمعة.")
    assert len(incidents_of(text, date(2024, 6, 14))) == 1


def test_another_blast_told_with_also_is_another_event() -> None:
    text = ("انفجرت عبوة ناسفة قرب دورية للشرطة في مدينة البصرة ما أسفر عن إصابة 3 أشخاص.\n"
            "كما انفجرت عبوة ناسفة قرب سوق شعبي في قضاء الزبير ما أسفر عن مقتل شخص وإصابة 5 آخرين.")
    basra, zubair = incidents_of(text, date(2024, 4, 6))
    assert (basra.injured, zubair.killed, zubair.injured) == (3, 1, 5)


def test_a_clause_of_contrast_tells_another_event() -> None:
    # "..., في حين ..." / "..., while ...": a second event in the same sentence, with its own place, day and toll
    text = "قتل عنصران بهجوم لداعش في مدينة السخنة أمس، في حين قتل ثلاثة آخرون في كمين غربي مدينة تدمر."
    first, second = incidents_of(text, date(2024, 4, 6))
    assert (first.killed, _named(first.place)) == (2, "السخنة")
    assert (second.killed, _named(second.place)) == (3, "تدمر")
    text = ("On Tuesday, two fighters were killed in a Turkish drone strike near Amuda, while five others, including "
            "two children, were killed in a similar attack on Saturday near Derbasiyah.")
    first, second = incidents_of(text, date(2024, 4, 6))
    assert (first.type, first.killed, first.date) == ("airstrike", 2, "2024-04-02")
    assert (second.type, second.killed, second.date) == ("airstrike", 5, "2024-04-06")


def test_a_killing_told_right_after_clashes_was_in_them() -> None:
    text = ("اندلعت اشتباكات اليوم بين قسد وفصائل موالية لتركيا قرب مدينة منبج.\n"
            "وسيطرت قسد على قرية مجاورة ما أسفر عن مقتل 5 عناصر من الفصائل.")
    assert [i.type for i in incidents_of(text, date(2024, 4, 6))] == ["armed_clash"]


def test_the_strike_retold_is_a_strike() -> None:
    text = ("Israeli jets struck a radar site near the town of Shahba on Monday.\n"
            "The strike targeted a research centre in Masyaf, according to the Observatory.")
    assert [i.type for i in incidents_of(text, date(2024, 4, 6))] == ["airstrike", "airstrike"]


def test_a_remark_on_the_event_just_told_is_that_event() -> None:
    text = "سقطت قذائف هاون على قاعدة بلد الجوية مساء الثلاثاء.\nوهذا الهجوم هو الرابع من نوعه منذ السبت في العراق."
    assert len(incidents_of(text, date(2024, 4, 6))) == 1


def test_an_example_after_a_trend_is_an_event() -> None:
    text = "وصعد التنظيم من وتيرة هجماته خلال الفترة الماضية، ففي 2 من الشهر الجاري قتل أربعة رعاة بهجوم في بادية السخنة."
    [attack] = incidents_of(text, date(2024, 4, 6))
    assert (attack.type, attack.killed, attack.date) == ("attack", 4, "2024-04-02")


def test_a_line_of_two_words_inside_the_article_heads_a_section() -> None:
    text = ("قتل مدنيان بقصف مدفعي على قرية قرب مدينة تل أبيض اليوم.\n\nتفجير إسطنبول\n\n"
            "وقال وزير الداخلية إن منفذي الهجوم دخلوا عبر الحدود.")
    assert [_named(i.place) for i in incidents_of(text, date(2024, 4, 6))] == ["تل أبيض"]


def test_a_clause_of_contrast_telling_the_same_event_is_merged_again() -> None:
    [attack] = incidents_of("قتل عنصران بهجوم على حاجز في مدينة جاسم، فيما قتل ثالث متأثراً بجروحه.")
    assert (attack.type, _named(attack.place)) == ("attack", "جاسم")


def test_a_sentence_summing_events_up_is_none_of_them() -> None:
    text = ("شهدت محافظة السويداء الأسبوع الماضي حادثتي خطف.\n"
            "ففي يوم الاثنين خطف مسلحون مجهولون شاباً في بلدة القريا.\n"
            "وفي يوم الثلاثاء خطف مسلحون رجلاً في مدينة شهبا.")
    found = incidents_of(text, date(2025, 3, 6))
    assert [(i.type, _named(i.place)) for i in found] == [("kidnapping", "القريا"), ("kidnapping", "شهبا")]


def test_the_details_of_the_event_told_before_are_that_event() -> None:
    text = ("اغتال مسلحون مجهولون شابين بريف درعا أمس.\n"
            "وفي التفاصيل، أطلق مسلحون النار على الشابين في مدينة الصنمين ما أسفر عن مقتلهما.\n"
            "وفي 24 من الشهر الجاري، اغتال مجهولون رئيس البلدية في مدينة الصنمين.")
    first, second = incidents_of(text, date(2025, 3, 27))
    assert (_named(first.place), first.killed, first.date) == ("الصنمين", 2, "2025-03-26")
    assert second.date == "2025-03-24"


def test_the_headline_tells_the_first_event_of_the_body() -> None:
    text = ("مقتل مدنيين برصاص مجهولين في ريف دير الزور\n"
            "قتل مدنيان أمس الأربعاء برصاص مجهولين في بلدة الشحيل بريف دير الزور.\n"
            "وفي 11 من الشهر الجاري، أعدم مسلحون رجلاً شرقي مدينة دير الزور.")
    first, second = incidents_of(text, date(2020, 11, 19))
    assert (_named(first.place), first.date, first.evidence[:5]) == ("الشحيل", "2020-11-18", "مقتل ")
    assert second.date == "2020-11-11"


def test_a_headline_naming_the_governorate_s_city_tells_the_body_s_town() -> None:
    text = ("مقتل شابين بغارة مسيرة إسرائيلية في درعا\n"
            "قتل شابان اليوم بغارة لطائرة مسيرة إسرائيلية استهدفت سيارة في مدينة إنخل بريف درعا الشمالي.")
    [strike] = incidents_of(text, date(2025, 2, 9))
    assert (_named(strike.place), strike.killed, strike.evidence[:5]) == ("إنخل", 2, "مقتل ")


def test_the_headline_s_sides_come_first() -> None:
    text = ("Daesh attack kills security forces near Kirkuk\n"
            "A source said casualties were reported in the attack affiliated with Daesh.\n"
            "The source said Daesh militants attacked PMF fighters near Kirkuk.")
    [attack] = incidents_of(text)
    assert (attack.actors, attack.targets) == (["isis"], ["pmf"])


def test_the_same_area_is_the_place_of_the_report_before() -> None:
    text = ("اغتال مجهولون أمس رئيس مفرزة أمنية بعبوة ناسفة في بلدة التبني.\n"
            "وفي سياق متصل، تعرضت سيارة عسكرية في المنطقة نفسها لانفجار عبوة ناسفة مما أدى إلى مقتل ثلاثة عناصر.")
    _first, second = incidents_of(text, date(2024, 3, 8))
    assert (_named(second.place), second.killed) == ("التبني", 3)


def test_the_attack_named_as_known_goes_on_with_the_one_just_told() -> None:
    text = ("قتل مدني بانفجار عبوة في بلدة التبني أمس.\n"
            "والأربعاء الفائت، هاجم التنظيم مواقع للجيش في بلدة السخنة.\n"
            "وأدى الهجوم إلى مقتل ثلاثة عناصر وإصابة أربعة آخرين.")
    tabni, sukhnah = incidents_of(text, date(2024, 3, 8))
    assert (tabni.killed, tabni.injured) == (1, None)
    assert (_named(sukhnah.place), sukhnah.killed, sukhnah.injured) == ("السخنة", 3, 4)


def test_the_body_s_count_is_kept_over_the_headline_s() -> None:
    text = ("مسيرة تركية تقتل مسؤولة البلدية في مدينة عامودا\n"
            "استهدفت طائرة مسيرة سيارة في مدينة عامودا، ما أسفر عن مقتل ثلاثة أشخاص وإصابة آخر.")
    [strike] = incidents_of(text)
    assert (strike.killed, strike.injured, strike.evidence[:5]) == (3, 1, "مسيرة")


def test_an_event_this_one_came_after_is_another() -> None:
    text = ("قتل عنصران من الجيش بانفجار عبوة ناسفة بدوريتهم في بلدة الصور اليوم.\n"
            "وجاء ذلك بعد يوم من مقتل أربعة عناصر باستهداف سيارتهم قرب بلدة هجين.")
    sur, hajin = incidents_of(text, date(2024, 3, 6))
    assert (_named(sur.place), sur.killed, _named(hajin.place), hajin.killed) == ("الصور", 2, "هجين", 4)


def test_the_attack_a_clash_was_is_that_clash() -> None:
    text = ("Infiltrators on Tuesday killed a soldier in a gunfight with border guards near Ruwaished, the army said.\n"
            "The military said that dozens of infiltrators crossed the border at dawn and attacked border guards.")
    [clash] = incidents_of(text, date(2024, 3, 8))
    assert (clash.type, clash.killed) == ("armed_clash", 1)


def test_events_told_in_turn_are_each_their_own() -> None:
    text = ("شهدت محافظة درعا ثلاث عمليات اغتيال أمس.\n"
            "أول العمليات استهدفت عنصراً في بلدة الحراك ما أدى إلى مقتله مع شقيقه.\n"
            "الثانية قتل على إثرها عنصر في مدينة درعا.\n"
            "أما ثالث عملية فكانت عبوة استهدفت سيارة قرب بلدة طفس ما أدى لإصابة سائقها.")
    found = incidents_of(text, date(2024, 3, 8))
    assert [(_named(i.place), i.killed, i.injured) for i in found] == [("الحراك", 2, None), ("درعا", 1, None),
                                                                         ("طفس", None, 1)]


def test_a_sentence_retelling_one_report_as_two_operations_is_that_report() -> None:
    text = ("أعلنت المديرية اليوم القبض على 7 تجار مخدرات في محافظتي البصرة وذي قار.\n"
            "وأضافت أنه تم القبض على 7 متاجرين بالمخدرات بعمليتين منفصلتين في محافظتي البصرة وذي قار.")
    [arrest] = incidents_of(text, date(2024, 3, 8))
    assert arrest.arrested == 7


def test_a_day_of_the_same_month_is_of_the_month_named_before() -> None:
    text = ("قتل ثلاثة مدنيين بغارة مسيرة تركية في مدينة القامشلي اليوم.\n"
            "وفي تشرين الأول الماضي، استهدفت مسيرة تركية عربة في مدينة كوباني.\n"
            "وفي 23 من الشهر ذاته، استهدفت طائرات مسيرة تركية عربة في مدينة تل أبيض.")
    [today] = incidents_of(text, date(2024, 3, 6))
    assert _named(today.place) == "القامشلي"
    recent = ("قتل ثلاثة مدنيين بغارة مسيرة تركية في مدينة القامشلي في 2 آذار.\n"
              "وفي 4 من الشهر ذاته، استهدفت طائرات مسيرة تركية عربة في مدينة تل أبيض.")
    assert [i.date for i in incidents_of(recent, date(2024, 3, 6))] == ["2024-03-02", "2024-03-04"]


def test_where_people_are_heading_is_no_place_they_left() -> None:
    text = ("غادرت اليوم 249 عائلة عراقية مخيم الهول.\n"
            "وتوجهت الحافلات التي تقل العائلات إلى مخيم الجدعة في محافظة نينوى.")
    [departure] = incidents_of(text, date(2025, 10, 27))
    assert _named(departure.place) == "مخيم الهول"


def test_a_toll_said_to_have_risen_is_the_event_s() -> None:
    text = ("قتل سبعة أشخاص بغارات إسرائيلية على مواقع في محيط مدينة مصياف اليوم.\n"
            "وأفاد مدير المستشفى اليوم بارتفاع عدد القتلى جراء العدوان إلى 14 قتيلاً و43 جريحاً.")
    [strike] = incidents_of(text, date(2024, 3, 8))
    assert (strike.killed, strike.injured) == (14, 43)


def test_the_day_before_s_toll_of_an_event_whose_toll_rose_is_that_event() -> None:
    text = ("ارتفعت حصيلة قتلى الهجوم على بلدة طوزخرماتو في العراق إلى أربعة، الجمعة.\n"
            "ومساء الخميس، هاجم مسلحون حاجزاً في طوزخرماتو ما أسفر عن مقتل اثنين، قبل الإعلان عن الحصيلة.")
    [attack] = incidents_of(text, date(2020, 4, 10))
    assert (_named(attack.place), attack.killed, attack.date) == ("طوزخرماتو", 4, "2020-04-09")


def test_a_toll_higher_the_day_before_is_another_event() -> None:
    text = ("ارتفعت حصيلة قتلى الهجوم على بلدة طوزخرماتو في العراق إلى أربعة، الجمعة.\n"
            "ومساء الخميس، هاجم مسلحون حاجزاً في طوزخرماتو ما أسفر عن مقتل ستة.")
    assert len(incidents_of(text, date(2020, 4, 10))) == 2


def test_a_headline_s_toll_continued_on_the_next_line_is_one_sentence() -> None:
    text = ("مقتل جنديين في هجوم مسلح شمالي العراق\n"
            "وإصابة ثلاثة آخرين، في اشتباكات استمرت ساعة ببلدة طوزخرماتو\n"
            "هاجم مسلحون ليلة أمس نقطة للجيش في طوزخرماتو.")
    [attack] = incidents_of(text, date(2020, 4, 10))
    assert (attack.type, attack.killed, attack.injured) == ("attack", 2, 3)


def test_the_second_incident_told_with_amma_is_its_own() -> None:
    text = ("وقعت حادثتا اغتيال في محافظة درعا، ففي الأولى قتل شاب برصاص مسلحين مجهولين في مدينة جاسم، أما "
            "الحادثة الثانية، قتل عنصر من قوات النظام بانفجار عبوة ناسفة قرب بلدة تل شهاب.")
    assert len(incidents_of(text)) == 2


def test_an_event_on_another_front_is_its_own() -> None:
    text = ("قتل طيران الجيش العراقي 40 مسلحاً من داعش في غارات على مواقع التنظيم في صلاح الدين.\n"
            "على صعيد آخر، قتل اثنان من البيشمركة بانفجار لغم أرضي قرب داقوق.")
    strike, mine = incidents_of(text)
    assert (strike.type, mine.type, mine.killed, _named(mine.place)) == ("airstrike", "attack", 2, "داقوق")


def test_members_counted_are_the_target() -> None:
    text = "قتل طيران الجيش 40 إرهابياً على الأقل من مسلحي تنظيم داعش في غارات جوية على صلاح الدين."
    [strike] = incidents_of(text)
    assert (strike.actors, strike.targets) == ([], ["isis"])


@pytest.mark.parametrize("text", [
    "ودخل الجيش إلى البلدات الحدودية لتأمينها وضبط المعابر غير الشرعية مع سوريا.",
    "وهزّ انفجار قوي محيط المرفأ في مدينة طرطوس، وهي منطقة حيوية واستراتيجية.",
])
def test_control_and_a_strategic_place_are_no_seizure_nor_development(text: str) -> None:
    assert all(i.type not in ("seizure", "strategic") for i in incidents_of(text))


def test_an_arrest_being_attempted_is_the_scene_not_an_arrest() -> None:
    text = ("Four soldiers were killed in an ambush near Kirkuk on Wednesday.\n"
            "The soldiers were targeted while attempting to arrest a suspected militant.\n"
            "Officials said the forces were en route to detain a suspect when they were attacked.")
    [ambush] = incidents_of(text)
    assert (ambush.type, ambush.killed, ambush.arrested) == ("attack", 4, None)


@pytest.mark.parametrize("text", ["جرح ثلاثة مدنيين جراء غارات روسية على مدينة إدلب.",
                                  "Russian jets struck the town of Atarib, killing 18 civilians."])
def test_a_side_named_by_its_strikes_or_aircraft_struck(text: str) -> None:
    [strike] = incidents_of(text)
    assert (strike.actors, strike.targets) == (["russian_forces"], [])


def test_aircraft_supporting_a_campaign_strike_nothing() -> None:
    text = ("نصب مسلحون كميناً لدورية للجيش قرب بلدة السخنة ما أدى لمقتل ثلاثة عناصر.\n"
            "وشملت الحملة العسكرية وحدات من الجيش ودعماً من الطيران الحربي الروسي.")
    [ambush] = incidents_of(text)
    assert (ambush.type, ambush.killed) == ("attack", 3)


def test_an_arrest_announced_days_before_another_is_another() -> None:
    text = ("أعلن قائد شرطة الأنبار، الجمعة، اعتقال 25 مطلوباً في عامرية الفلوجة.\n"
            "وقال إن قوة من الشرطة ألقت القبض على 25 مطلوباً في قضاء العامرية جنوب الفلوجة.\n"
            "وكان مدير مركز الشرطة أعلن في 15 حزيران عن اعتقال ثمانية مطلوبين في عامرية الفلوجة.")
    first, second = incidents_of(text, date(2015, 6, 19))
    assert (first.arrested, first.date, second.arrested, second.date) == (25, "2015-06-19", 8, "2015-06-15")


def test_a_lead_placed_in_a_governorate_of_a_region_tells_the_strike_on_its_village() -> None:
    text = ("صعّد الجيش التركي هجماته على مناطق داخل إقليم كردستان، حيث قصفت الطائرات التركية مناطق في محافظة دهوك.\n"
            "وأفاد مصدر محلي بأن الطائرات التركية قصفت محيط قرية هروري التابعة لناحية كاني ماسي.")
    [strike] = incidents_of(text)
    assert _named(strike.place) == "كاني ماسي"


def test_also_at_a_village_of_its_own_is_another_event() -> None:
    text = ("شن الطيران الحربي الروسي غارة مزدوجة استهدفت محيط مدينة إدلب الشرقي.\n"
            "كما طالت الغارات الروسية أطراف قرية احسم في جبل الزاوية.")
    city, village = incidents_of(text)
    assert (_named(city.place), _named(village.place)) == ("إدلب", "احسم")


def test_militias_of_a_side_kidnapping_are_its_doers() -> None:
    [kidnapping] = incidents_of("مليشيات محلية تابعة لقوات النظام تختطف امرأة وابنها في مدينة حماة وتطالب بفدية.")
    assert (kidnapping.type, kidnapping.actors, kidnapping.targets) == ("kidnapping", ["assad_regime"], [])


def test_the_other_side_answering_is_another_event() -> None:
    text = ("نصب مسلحون كميناً لقوة من قسد في بلدة أبو حمام ما أدى لمقتل 7 عناصر.\n"
            "في المقابل، ردت قسد بإطلاق قذائف صاروخية، أدت لمقتل طفل وإصابة والده.")
    ambush, answer = incidents_of(text)
    assert (ambush.killed, ambush.injured, answer.killed, answer.injured) == (7, None, 1, 1)


def test_a_similar_shelling_after_a_strike_is_a_strike() -> None:
    text = ("شن الطيران الحربي الروسي غارة على محيط مدينة إدلب اليوم.\n"
            "وأشار المراسل إلى أن قصفاً مماثلاً استهدف مساء أمس منازل المدنيين في بلدة بزابور بجبل الأربعين.")
    assert [i.type for i in incidents_of(text, date(2024, 3, 8))] == ["airstrike", "airstrike"]


def test_a_killing_told_as_simultaneous_is_another_event() -> None:
    text = ("وفي الموصل، هاجم مسلحون فجر الأربعاء نقطة تفتيش للشرطة وقتلوا شرطياً، في حين قتل مسلحون بشكل متزامن "
            "شقيقين في بلدة القحطانية القريبة من الموصل.")
    checkpoint, brothers = incidents_of(text, date(2012, 8, 15))
    assert (_named(checkpoint.place), checkpoint.killed, _named(brothers.place), brothers.killed) == \
        ("الموصل", 1, "القحطانية", 2)


@pytest.mark.parametrize(("text", "place"), [
    ("قصفت طائرات تركية مخيماً للاجئين على بعد 50 كيلومتراً جنوب أربيل.", None),
    ("Soldiers were attacked about 45 km (28 miles) southwest of Kirkuk.", None),
    ("قتل شخص بانفجار لغم في منطقة نائية نحو 20 كم شمال غرب مدينة تدمر.", "تدمر"),
])
def test_a_town_far_off_from_the_event_is_not_its_place(text: str, place: str | None) -> None:
    [incident] = incidents_of(text)
    assert _named(incident.place) == place


def test_the_other_side_in_return_is_another_event() -> None:
    text = ("قتل ثلاثة مدنيين بقصف مدفعي لقوات الحكومة على بلدة كفر نوران بريف حلب الغربي.\n"
            "في المقابل قصفت هيئة تحرير الشام مواقع لقوات الحكومة في قرية كفر حلب غربي حلب.")
    shelling, answer = incidents_of(text)
    assert (shelling.killed, shelling.actors, answer.actors) == (3, [], ["hts"])


def test_an_earlier_attack_named_so_is_no_part_of_the_clash() -> None:
    text = ("اندلعت اشتباكات بين الجيش وقسد قرب سد تشرين اليوم.\n"
            "وكان جنديان قد قتلا في هجوم سابق على نقطة للجيش.")
    [clash] = incidents_of(text, date(2024, 3, 8))
    assert clash.killed is None


def test_news_that_came_in_is_no_answer_of_the_other_side() -> None:
    text = ("خرج مئات المتظاهرين في أحياء مدينة الرقة ضد قسد اليوم.\n"
            "وردت أنباء عن تفريق مظاهرة شارع الساقية في مدينة الرقة بالرصاص الحي.")
    assert [i.type for i in incidents_of(text, date(2024, 3, 8))] == ["protest"]


def test_a_day_inside_the_saying_s_clause_dates_the_statement_not_another_event() -> None:
    # "قالت الخلية في بيان ... اليوم الأحد إن": the day stands before what was said, so it is the statement's
    text = ("قتل سبعة عناصر من الشرطة بهجوم على حاجز جنوب مدينة كركوك نفذه تنظيم داعش ليل السبت الأحد.\n"
            "وقالت خلية الإعلام الأمني في بيان عبر منصة إكس اليوم الأحد إن قوات الشرطة اشتبكت مع عناصر "
            "داعش في قاطع ناحية الرشاد بمحافظة كركوك.")
    [attack] = incidents_of(text, date(2025, 3, 2))
    assert (attack.type, attack.killed, attack.date) == ("attack", 7, "2025-03-02")


def test_clashes_a_statement_tells_of_the_attack_are_that_attack() -> None:
    text = ("9 قتلى في هجوم لتنظيم داعش بالأنبار\n"
            "قتل تسعة عناصر من الجيش بهجوم على ثكنة جنوب الرمادي نفذه تنظيم داعش ليلة الجمعة.\n"
            "وقالت خلية الإعلام الأمني، اليوم، إن قوات الجيش اشتبكت مع عناصر داعش في محافظة الأنبار.")
    [attack] = incidents_of(text, date(2025, 3, 4))
    assert (attack.type, attack.killed, attack.actors) == ("attack", 9, ["isis"])


def test_the_war_s_toll_as_a_whole_is_no_event() -> None:
    text = ("Shelling killed four civilians in the town of Sarmin on Saturday, a monitor said.\n"
            "The war in Syria has killed more than 500,000 people and displaced millions since 2011, it says.")
    [attack] = incidents_of(text, date(2025, 2, 10))
    assert (attack.type, attack.killed) == ("attack", 4)


def test_a_month_s_tally_of_assassinations_is_no_event_s_toll() -> None:
    # "ستة قتلوا في ظروف مختلفة ... وشهدت المحافظة هذا الشهر سبع محاولات اغتيال": a monitor's tally, not the news
    text = ("اغتال مجهولون مساء اليوم مختار قرية في مدينة طفس بريف درعا الغربي.\n"
            "وكانت شبكة محلية وثقت مقتل 30 شخصاً في محافظة درعا خلال شهر آب.\n"
            "وأوضحت أن خمسة أشخاص قتلوا في ظروف مختلفة، كما وثقت اغتيال 11 من قوات النظام، وشهدت المحافظة "
            "هذا الشهر سبع محاولات اغتيال.")
    [attack] = incidents_of(text, date(2023, 9, 2))
    assert (attack.type, attack.killed, attack.targets) == ("attack", 1, [])  # the mukhtar


def test_a_region_s_government_is_the_source_not_the_place() -> None:
    # "وزارة البيشمركة في حكومة إقليم كردستان": who told it; the strike is the one at Sinjar told after it
    text = ("قتل 4 عناصر من قوات الأمن وأصيب 7 آخرون جراء ضربة جوية نفذتها طائرات تركية على مواقع في شمال "
            "العراق، بحسب وزارة البيشمركة في حكومة إقليم كردستان العراق.\n"
            "وقال المسؤول إن القصف استهدف مواقع قرب مدينة سنجار، ما أدى إلى مقتل 4 أشخاص وإصابة سبعة آخرين.")
    [strike] = incidents_of(text, date(2025, 2, 10))
    assert (strike.type, strike.killed, strike.injured) == ("airstrike", 4, 7)
    assert strike.place is not None and strike.place.name == "سنجار"



def test_an_earlier_event_told_as_past_on_its_own_day_is_another_one() -> None:
    # no publication day: "اليوم" and "في 7 من الشهر الحالي" stay unresolved, but "وكان ... قد" tells an earlier one
    text = ("ضبطت الجمارك اليوم 40 كيلوغراماً من الحشيش في مركز جابر الحدودي.\n"
            "وكان الجيش قد ضبط في 7 من الشهر الحالي مليوني حبة كبتاغون على الحدود مع سوريا.")
    first, earlier = incidents_of(text)
    assert (first.type, earlier.type) == ("seizure", "seizure")
    assert first.place is not None and first.place.name == "مركز جابر"
    assert earlier.evidence.startswith("وكان الجيش")


def test_english_artillery_kills() -> None:
    text = "On Thursday a civilian was killed by Turkish artillery in a village near Tal Tamr."
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert (attack.type, attack.date, attack.killed) == ("attack", "2024-05-09", 1)


def test_no_casualties_told_right_after_the_event_are_its_counts() -> None:
    text = "A suicide drone was shot down over Erbil airport on Tuesday; no casualties were reported."
    [strike] = incidents_of(text, date(2024, 5, 10))
    assert (strike.type, strike.killed, strike.injured) == ("airstrike", 0, 0)


def test_no_casualties_among_some_are_no_event_s_counts() -> None:
    text = ("A drone attack on a base in eastern Syria killed four fighters on Sunday.\n"
            "No casualties were reported among US troops.\n"
            "The attack also wounded 12 people, officials said.")
    [strike] = incidents_of(text, date(2024, 5, 10))
    assert (strike.killed, strike.injured) == (4, 12)


def test_the_side_another_belongs_to_has_no_role() -> None:
    text = "قتل قيادي في كتائب سيد الشهداء التابعة لحزب الله في العراق خلال اشتباك مع مسلحين في قضاء التاجي."
    [clash] = incidents_of(text, date(2024, 5, 10))
    assert (clash.type, clash.actors, clash.targets) == ("armed_clash", ["kataib_sayyid_al_shuhada"], [])


def test_a_group_affiliated_with_another_fires_rockets() -> None:
    text = "A militia affiliated with the IRGC fired rockets at a base near Deir ez-Zor on Monday."
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert (attack.type, attack.actors) == ("attack", [])


def test_suspects_linked_to_a_group_are_its_people() -> None:
    text = "Iraqi authorities said Sunday that they had arrested 23 people, allegedly linked to ISIS, in Karbala."
    [arrest] = incidents_of(text, date(2024, 5, 10))
    assert (arrest.arrested, arrest.targets) == (23, ["isis"])


def test_strikes_stepped_up_of_late_and_recurring_calls_are_no_events() -> None:
    text = ("قصفت طائرات تركية، اليوم الثلاثاء، مواقع في محافظة دهوك.\n"
            "وكثفت تركيا في الآونة الأخيرة ضرباتها ضد قواعد الحزب، فيما تتكرر الدعوات إلى اللجوء لمجلس الأمن "
            "الدولي بشأن القصف التركي.")
    [strike] = incidents_of(text, date(2024, 5, 7))
    assert (strike.type, strike.actors) == ("airstrike", [])


def test_the_town_a_road_is_named_after_comes_after_the_town_it_runs_through() -> None:
    text = "انفجرت سيارة مفخخة على طريق جنديرس وسط مدينة عفرين، ما أدى لمقتل ثلاثة مدنيين."
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert attack.place is not None and attack.place.name == "عفرين"


def test_the_hospital_the_wounded_were_taken_to_is_no_place_of_the_event() -> None:
    text = "أصيب خمسة عناصر بانفجار لغم قرب مدينة مارع، ونقلوا إلى مستشفى مدينة الباب."
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert attack.place is not None and attack.place.name == "مارع"


def test_guns_fired_while_jets_flew_over_are_an_attack() -> None:
    text = "قصفت المدفعية التركية قرى ناحية كاني ماسي صباح اليوم بالتزامن مع تحليق الطائرات الحربية في سماء المنطقة."
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert attack.type == "attack"


def test_a_plot_foiled_and_a_cell_taken_is_an_arrest_raid() -> None:
    text = "أحبطت القوات الأمنية مخططاً إرهابياً في كركوك وفككت خلية لداعش وضبطت بحوزة عناصرها أسلحة."
    [raid] = incidents_of(text, date(2024, 5, 10))
    assert (raid.type, raid.targets) == ("arrest_raid", ["isis"])


def test_a_strike_on_two_towns_told_town_by_town_is_two_strikes() -> None:
    text = ("قتل مدنيان وأصيب العشرات اليوم جراء قصف جوي استهدف مدينتي خان شيخون وسرمين بريف إدلب.\n"
            "وقال مراسل إن الطيران المروحي استهدف منازل في خان شيخون ما أسفر عن مقتل اثنين وإصابة ستة.\n"
            "وقصف الطيران الحربي مدينة سرمين ما أدى إلى إصابة ثمانية مدنيين.")
    first, second = incidents_of(text, date(2024, 5, 10))
    assert (first.place.name, first.killed, first.injured) == ("خان شيخون", 2, 6)
    assert (second.place.name, second.injured) == ("سرمين", 8)


def test_a_series_of_attacks_sums_up_the_one_told_after_it() -> None:
    # "سلسلة هجمات": the 18 are the series', not the one attack the article tells
    text = ("قتل 18 شخصاً في سلسلة هجمات شنها تنظيم داعش في مناطق متفرقة من العراق اليوم.\n"
            "وقال ضابط إن قوات الجيش في الطارمية تعرضت لهجوم بعبوة ناسفة ما أودى بحياة سبعة مقاتلين.")
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert (attack.killed, attack.place.name) == (7, "الطارمية")


def test_a_place_between_two_towns_is_one_place() -> None:
    text = "هاجم مقاتلو العشائر مقراً لقسد قرب مفرق الرغيب الواقع بين بلدتي الحوايج وذيبان مساء الأربعاء."
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert attack.type == "attack"


def test_an_event_opening_on_its_day_of_the_month_is_its_own() -> None:
    # no publication day: "اليوم الأربعاء" and "وفي 11 من الشهر الحالي" stay unresolved; the second opens on its day
    text = ("أعلنت الجمارك، اليوم الأربعاء، ضبط 70 كيلوغراماً من الكبتاغون في معبر جابر.\n"
            "وفي 11 من الشهر الحالي، ضبط الجيش مليوني حبة كبتاغون بعد اشتباك مع مهربين على الحدود.")
    assert [i.type for i in incidents_of(text)] == ["seizure", "seizure"]


def test_what_a_decision_provides_for_has_not_happened() -> None:
    text = ("خرجت 120 عائلة من مخيم الهول اليوم.\n"
            "وكانت الإدارة الذاتية أصدرت في العاشر من الشهر الماضي قراراً يقضي بإخراج العائلات الراغبة من مخيم الهول.")
    assert [i.type for i in incidents_of(text)] == ["displacement"]


@pytest.mark.parametrize(("text", "actors", "targets"), [
    # what the verb of targeting hit belongs to the side named after it; its subject right after it did it
    ("نصب مسلحون كميناً استهدف قوة عسكرية لقسد قرب بلدة أبو حمام، ما أدى لمقتل ثلاثة عناصر.", [], ["sdf"]),
    ("استهدف تنظيم داعش نقطة عسكرية في بادية تدمر اليوم.", ["isis"], []),
    # a man's side after his title ("لدى"), the last of the counted by an ordinal
    ("اعتقلت قوات سوريا الديمقراطية والي الرقة لدى تنظيم داعش خلال عمليات مداهمة أمس.", ["sdf"], ["isis"]),
    ("قتل 6 أشخاص، هم 5 من البيشمركة والسادس من قوات الأسايش، جراء قصف جوي على مدينة سنجار.", [], ["asayish"]),
], ids=["object-of-targeting", "subject-of-targeting", "title-at-a-side", "counted-by-an-ordinal"])
def test_sides_by_the_words_around_them(text: str, actors: list[str], targets: list[str]) -> None:
    [incident] = incidents_of(text, date(2024, 5, 10))
    assert (incident.actors, incident.targets) == (actors, targets)


def test_a_warning_of_confiscation_is_no_seizure() -> None:
    text = ("وأنذر تنظيم داعش في خطبة الجمعة الأطباء الذين غادروا مدينة الميادين بالعودة خلال عشرة أيام، "
            "وإلا ستتم مصادرة أملاكهم.")
    assert incidents_of(text, date(2024, 5, 10)) == []


def test_strikes_carried_out_by_aircraft_beside_clashes_elsewhere() -> None:
    text = ("ونفذت طائرات التحالف الدولي 3 ضربات على مواقع لداعش في مدينة البوكمال، ما أدى لمصرع 7 مقاتلين، في حين "
            "دارت اشتباكات عنيفة بين قوات النظام ومقاتلي داعش قرب حاجز في مدينة دير الزور.")
    strike, clash = incidents_of(text, date(2024, 5, 10))
    assert (strike.type, strike.place.name, strike.killed) == ("airstrike", "البوكمال", 7)
    assert (clash.type, clash.place.name) == ("armed_clash", "دير الزور")


def test_a_verb_of_two_counts_two() -> None:
    text = 'وقال مصدر إن "اثنين من عناصر الحشد العشائري السني قتلا اليوم بمسدسات كاتمة للصوت في قرية قرب الموصل".'
    [attack] = incidents_of(text, date(2024, 5, 10))
    assert attack.killed == 2


def test_attacks_stepped_up_of_late_and_earlier_in_the_week_are_not_today_s() -> None:
    text = ("A roadside bomb killed five civilians near Tikrit on Wednesday, and the Islamic State (IS) is suspected.\n"
            "Recently, the group has conducted multiple attacks against army posts in Diyala.\n"
            "Earlier in the week, IS targeted a PMF post near Samarra, wounding a fighter.")
    bomb, *others = incidents_of(text, date(2024, 5, 10))
    assert (bomb.killed, bomb.injured, bomb.actors, bomb.targets) == (5, None, ["isis"], [])
    assert all(o.date is None for o in others)


def test_one_more_act_told_with_also_at_a_town_of_its_own() -> None:
    text = ("هاجم مقاتلو العشائر مقراً لقسد قرب بلدة الحوايج مساء الأربعاء.\n"
            "وأضافت المصادر أن مقاتلي العشائر شنوا أيضاً هجوماً على مقرات قسد في بلدة الشحيل.")
    assert [i.place.name for i in incidents_of(text, date(2024, 5, 10))] == ["الحوايج", "الشحيل"]


def test_a_round_up_of_attacks_each_with_its_toll() -> None:
    # one placed where the gazetteer has nothing ("منطقة الزعفرانية"), one far from the capital it is measured
    # from ("130 كلم"), one opening on "also" in another part of the city
    text = ("ففي بغداد، قال مصدر إن ثمانية أشخاص قتلوا وأصيب 25 بجروح في انفجار سيارة مفخخة في منطقة الكرادة.\n"
            "وفي هجوم آخر، قال ضابط إن أربعة أشخاص قتلوا وأصيب 11 بجروح في انفجار سيارة مفخخة في منطقة الزعفرانية.\n"
            "كما قتل شخص وأصيب ثلاثة بجروح جراء انفجار عبوة ناسفة في مدينة الصدر.\n"
            "وفي جلولاء (130 كلم شمال شرق بغداد) قال ضابط إن مسلحين من داعش أعدموا خمسة من عناصر الشرطة.")
    tolls = [(i.killed, i.injured) for i in incidents_of(text, date(2024, 5, 10))]
    assert tolls == [(8, 25), (4, 11), (1, 3), (5, None)]


def test_news_told_after_a_state_in_the_same_sentence() -> None:
    # "وتشهد الصحراء منذ نحو شهر عملية عسكرية ..." is a state; the clause after it names its own day
    text = ("وتشهد مناطق الصحراء الغربية منذ نحو شهر عملية عسكرية واسعة لتعقب فلول داعش، وأدى انفجار سيارة "
            "مفخخة في أحد شوارع مدينة الفلوجة اليوم إلى إصابة 4 أشخاص بجروح.")
    [blast] = incidents_of(text, date(2024, 1, 2))
    assert (blast.type, blast.place.name, blast.injured, blast.date) == ("attack", "الفلوجة", 4, "2024-01-02")


def test_a_claim_before_the_latest_of_a_series_names_its_doer() -> None:
    text = ("وقتل عدد من عناصر قسد بعمليات اغتيال منذ مطلع العام، وقد أعلن داعش مسؤوليته عن عدد من الاغتيالات، "
            "كان آخرها يوم أمس، حيث أعلن التنظيم مقتل 3 عناصر من قسد قرب مدينة الرقة.")
    [attack] = incidents_of(text, date(2024, 1, 2))
    assert (attack.actors, attack.targets, attack.killed) == (["isis"], ["sdf"], 3)


def test_a_month_s_beginning_is_a_vague_time() -> None:
    text = ("Security forces arrested four ISIS members in Mosul on Thursday.\n"
            "In the beginning of the month, Iraqi forces captured three ISIS members in Sinjar.")
    arrest, *earlier = incidents_of(text, date(2024, 1, 12))
    assert (arrest.arrested, arrest.place.name) == (4, "Mosul")
    assert all(e.date is None for e in earlier)


def test_a_force_telling_its_own_raid_carried_it_out() -> None:
    text = ('وذكر قائد عمليات الحشد الشعبي في غرب الأنبار اليوم أن "قوة مشتركة شرعت بعملية أمنية استهدفت '
            'منطقة السرجة لملاحقة فلول داعش".')
    [raid] = incidents_of(text, date(2024, 1, 2))
    assert (raid.type, raid.actors) == ("arrest_raid", ["pmf"])


def test_an_exact_count_told_after_a_lower_bound_is_the_count() -> None:
    text = ("قتل 6 مدنيين وأصيب أكثر من عشرة آخرين، فجر الاثنين، في انفجار سيارة مفخخة بمدينة عفرين.\n"
            "وأوضح مصدر أن سيارة مفخخة انفجرت في مركز مدينة عفرين، مما أدى لمقتل 6 مدنيين وإصابة 11 آخرين.")
    [blast] = incidents_of(text, date(2024, 5, 10))
    assert (blast.killed, blast.injured) == (6, 11)


def test_an_approximate_count_is_not_replaced_by_a_smaller_or_rounder_one() -> None:
    text = ("قتل نحو 20 شخصاً في انفجار سيارة مفخخة بمدينة عفرين فجر الاثنين.\n"
            "وأوضح مصدر أن الانفجار أدى لمقتل 18 مدنياً.")
    [blast] = incidents_of(text, date(2024, 5, 10))
    assert blast.killed == 20


@pytest.mark.parametrize(("text", "actors", "targets"), [
    ("US troops at Ain al-Asad were targeted by two rockets on Friday.", [], ["us_forces"]),
    ("ISIS fighters attacked an army post near Tikrit, and two soldiers were killed.", ["isis"], []),
    ("اعتقلت قسد أربعة أشخاص في حملة لمواجهة نشاط داعش بريف الحسكة.", ["sdf"], ["isis"]),
], ids=["english-passive-is-hit", "english-active-did-it", "whom-a-raid-counters"])
def test_sides_by_voice_and_purpose(text: str, actors: list[str], targets: list[str]) -> None:
    [incident] = incidents_of(text, date(2024, 3, 9))
    assert (incident.actors, incident.targets) == (actors, targets)


def test_barrel_bombs_dropped_on_a_town_are_a_strike() -> None:
    [strike] = incidents_of("Regime helicopters dropped barrel bombs on Kafr Nabl on Monday.", date(2024, 3, 9))
    assert (strike.type, strike.place.name, strike.date) == ("airstrike", "Kafr Nabl", "2024-03-04")


def test_no_one_hurt_counts_no_one() -> None:
    [attack] = incidents_of("Two rockets hit the airport in Erbil on Monday. No one was hurt.", date(2024, 3, 9))
    assert (attack.killed, attack.injured) == (0, 0)


def test_last_night_is_yesterday() -> None:
    [attack] = incidents_of("انفجرت عبوة ناسفة الليلة الماضية قرب دوار في مدينة كركوك.", date(2024, 3, 9))
    assert attack.date == "2024-03-08"


def test_martyred_fighters_are_killed() -> None:
    text = "Two SDF fighters were martyred in a Turkish drone strike near Kobanê on Monday."
    [strike] = incidents_of(text, date(2024, 3, 9))
    assert (strike.killed, strike.place.name, strike.targets) == (2, "Kobanê", ["sdf"])


def test_a_truck_picked_out_for_inspection_is_no_attack() -> None:
    text = "وأوضح الناطق أنه تم استهداف الشاحنة وتفتيشها، حيث عثر على 300 ألف حبة كبتاغون في مركز جابر الحدودي."
    assert [i.type for i in incidents_of(text, date(2024, 3, 9))] == ["seizure"]


def test_another_shelling_is_another_event() -> None:
    text = ("Army helicopters carried out air strikes on Mehambl in Idlib province on Saturday, killing 13 people.\n"
            "Meanwhile, a woman was killed by another rocket shelling on the outskirts of Khan Shaikoun.")
    strike, shelling = incidents_of(text, date(2024, 3, 9))
    assert (strike.type, strike.place.name, strike.killed) == ("airstrike", "Mehambl", 13)
    assert (shelling.type, shelling.place.name, shelling.killed) == ("attack", "Khan Shaikoun", 1)
