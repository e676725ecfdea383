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
    # two duals joined ("ضابطان وجنديان") are four; a dual and its number ("جنديان اثنان") two
    ("duals-joined", "أصيب ضابطان وجنديان بانفجار عبوتين ناسفتين في مدينة السليمانية.", {"injured": 4}),
    ("dual-and-its-number", "قتل جنديان اثنان بهجوم على حاجز في مدينة كركوك.", {"killed": 2}),
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
    ("no-casualties-recorded", "استهدفت عبوة ناسفة آلية عسكرية على طريق مدينة جبلة دون تسجيل أي إصابات بشرية.",
     {"killed": 0, "injured": 0}),
    ("no-reports-of-casualties", "سقطت قذيفتا هاون قرب مدينة الحسكة ولم ترد تقارير عن وقوع إصابات.",
     {"killed": 0, "injured": 0}),
    ("one-with-his-child", "قُتل تاجر ذهب مع طفله برصاص مسلحين في مدينة جاسم.", {"killed": 2}),
    ("one-with-his-two-sons", "قتل رجل مع نجليه بقصف على بلدة نوى.", {"killed": 3}),
    ("one-with-his-friends-unknown", "قتل شاب مع أصدقائه بقصف على بلدة نوى.", {"killed": 1}),
    ("without-it-causing-casualties", "سقطت قذائف هاون على مدينة الحسكة دون أن تسفر عن وقوع إصابات.",
     {"killed": 0, "injured": 0}),
    ("a-shepherd-is-one", "أفاد مصدر بمصرع راعٍ جراء انفجار لغم قرب ناحية مندلي.", {"killed": 1}),
    ("a-month-s-toll-is-not-the-event-s", "قتل ثلاثة أشخاص بتفجير في مدينة بعقوبة، في موجة عنف أوقعت نحو 90 قتيلاً "
     "هذا الشهر.", {"killed": 3}),
    ("passive-arrest", "شرعت مفارز الأمن في مدينة الرمادي بعملية نوعية ألقي القبض خلالها على أربعة مطلوبين.",
     {"arrested": 4}),
    ("seized-goods-are-not-arrests", "ضبطت دورية للجيش ثلاث سيارات محملة بالمازوت في مدينة حمص.", {}),
    ("english-list", "Militants attacked a checkpoint near Kirkuk, killing four police officers, two fighters "
     "and wounding two others.", {"killed": 6, "injured": 2}),
    ("english-words", "Gunmen attacked a checkpoint near Kirkuk, killing four soldiers and wounding two others.",
     {"killed": 4, "injured": 2}),
    ("english-a-soldier", "An Iraqi soldier was killed in an attack in Kirkuk.", {"killed": 1}),
    ("english-arrested", "Security forces arrested six suspects in a raid in Kirkuk.", {"arrested": 6}),
    # a group counts by its size; its members named after it are in that count
    ("cell-of-n", "ألقت قوى الأمن القبض على خلية تابعة لتنظيم داعش مكونة من أربعة أشخاص في مدينة الحسكة.",
     {"arrested": 4}),
    ("cell-members-in-its-size", "اعتقلت القوات خلية مؤلفة من خمسة عناصر في مدينة الرقة، واعتقلت خلال العملية "
     "أحد قادة التنظيم.", {"arrested": 5}),
    ("english-cell-of", "Security forces arrested a cell of three ISIS members in Kirkuk.", {"arrested": 3}),
    ("english-gang-made-up-of", "Police arrested a smuggling gang made up of four men in Kirkuk.", {"arrested": 4}),
    ("group-without-size", "اعتقلت قوى الأمن خلية تابعة لتنظيم داعش في مدينة الحسكة.", {}),
    # counts added further on, of the same kind of victim
    ("sum-others", "أوقفت دورية للجيش عند حاجز على مدخل مدينة حمص 20 شخصاً، بالإضافة إلى سبعة آخرين.",
     {"arrested": 27}),
    ("sum-of-people", "قتل أربعة جنود من الطرفين في مدينة الرقة و3 مدنيين.", {"killed": 7}),
    ("english-others", "Gunmen attacked a checkpoint in Kirkuk, killing two soldiers along with three others.", {"killed": 5}),
    ("sum-not-goods", "اعتقلت الشرطة أربعة أشخاص بالإضافة إلى ثلاث سيارات في مدينة حمص.", {"arrested": 4}),
    ("sum-not-across-casualty-word", "قتل ثلاثة جنود في الهجوم وأصيب خمسة آخرون في مدينة كركوك.",
     {"killed": 3, "injured": 5}),
    # an arrest verb far from its object (subject, time and place first)
    ("far-object", "اعتقلت قوات الأمن فجر اليوم في حي الميدان بمدينة دمشق تسعة مطلوبين.", {"arrested": 9}),
    # duals, and plurals spelt like them
    ("dual-brothers", "اعتقلت الشرطة شقيقين بعد مداهمة منزلهما في مدينة كركوك.", {"arrested": 2}),
    ("dual-drivers", "ضبطت دورية للجمارك شاحنتين محملتين بالمازوت في مدينة حمص وأوقفت السائقين.",
     {"arrested": 2}),
    ("plural-is-not-dual", "اعتقلت قوات الأمن مسلحين في مدينة كركوك.", {}),
    # one person joined after a count
    ("count-and-nisba", "اعتقلت قوات الأمن خمسة أشخاص عراقيين، وسورياً في مدينة كركوك.", {"arrested": 6}),
    ("count-and-officer", "قتل ثلاثة جنود وضابط بهجوم على حاجز في مدينة كركوك.", {"killed": 4}),
    ("english-killing-one", "An airstrike hit a base near Kirkuk, killing one and injuring two fighters.",
     {"killed": 1, "injured": 2}),
    ("person-added", "أسفر الهجوم عن مقتل عنصرين من الشرطة، بالإضافة إلى مدني، في مدينة كركوك.", {"killed": 3}),
    ("dual-with-pronoun", "اعتقلت قوات الأمن رجلاً ونجليه في مدينة حمص.", {"arrested": 3}),
    # a count another casualty word follows at once is that word's
    ("english-others-injured", "Gunmen attacked a checkpoint in Kirkuk, killing two soldiers, and three others "
     "were injured.", {"killed": 2, "injured": 3}),
    ("others-then-injured", "قتل ثلاثة جنود وأربعة آخرون أصيبوا بهجوم في مدينة كركوك.", {"killed": 3, "injured": 4}),
    # weekdays that read as numbers: الاثنين (Monday, "two"), الأحد (Sunday, "one")
    ("monday-is-no-two", "قتل جندي وجرح آخرون، ليلة الأحد/الإثنين، بهجوم في مدينة كركوك.", {"killed": 1}),
    ("sunday-is-no-one", "قتل جندي وجرح آخرون يوم الأحد بهجوم في مدينة كركوك.", {"killed": 1}),
    ("two-on-sunday", "قتل جندي وجرح اثنان يوم الأحد بهجوم في مدينة كركوك.", {"killed": 1, "injured": 2}),
    ("took-the-life-of", "هاجم مسلحون حاجزاً في مدينة كركوك مما أودى بحياة شرطي.", {"killed": 1}),
    # one number for two casualty words: neither count is known
    ("killed-and-wounded-en", "Five soldiers were killed and wounded in an attack in Kirkuk.", {}),
    ("killed-and-wounded-ar", "قتل وجرح خمسة جنود بهجوم في مدينة كركوك.", {}),
    ("each-its-number", "أربعة جنود قتلوا وأصيب خمسة بهجوم في مدينة كركوك.", {"killed": 4, "injured": 5}),
    ("men-of-a-force-added", "أدى الانفجار إلى مقتل 4 عناصر من الشرطة، و2 من الجيش، في مدينة كركوك.", {"killed": 6}),
    # eleven to ninety-nine count a singular noun: the noun is no person of its own
    ("count-and-singular-noun", "ألقت قوات الأمن القبض على 15 متهما بتجارة المخدرات في مدينة درعا.", {"arrested": 15}),
    # a casualty word of two named before: "مقتلهما"
    ("their-two-deaths", "اغتال مسلحون رجلين في مدينة درعا ما أدى إلى مقتلهما على الفور.", {"killed": 2}),
    ("their-two-wounds", "هاجم مسلحون سيارة في مدينة درعا ما أدى إلى إصابتهما بجروح.", {"injured": 2}),
    # an outlet named "<place> 24" is no count; a count after a place is
    ("outlet-24", "أفاد موقع درعا 24 بمقتل شاب برصاص مجهولين في مدينة درعا.", {"killed": 1}),
    ("count-after-a-place", "قتل في مدينة درعا 24 شخصا بهجوم مسلح على سوق شعبي.", {"killed": 24}),
    # a number written against its word ("قُتل18") is a number of its own
    ("glued-to-the-verb", "قُتل18 شخصاً في اشتباكات مسلحة في مدينة السويداء.", {"killed": 18}),
    ("glued-to-the-noun", "خلفت الاشتباكات في مدينة السويداء 7قتلى و12 جريحاً.", {"killed": 7, "injured": 12}),
    # a person then a count joined to it; a dual with its number ("جنديان اثنان") is two
    ("person-and-dual", "قتل ضابط وجنديان اثنان وأصيب اثنان آخران بانفجار عبوة ناسفة في مدينة الموصل.",
     {"killed": 3, "injured": 2}),
    ("dual-and-its-number", "قتل جنديان اثنان وأصيب ثلاثة آخرون بانفجار عبوة في مدينة الموصل.",
     {"killed": 2, "injured": 3}),
    ("person-and-count", "أسفر الهجوم على حاجز في مدينة كركوك عن مقتل ضابط وأربعة جنود.", {"killed": 5}),
    # a casualty noun is a count by itself: one ("سقوط قتيل"), two ("قتيلين", "جريحان")
    ("one-dead", "استهدفت طائرة مسيرة سيارة قرب مدينة القامشلي ما أدى إلى سقوط قتيل.", {"killed": 1}),
    ("two-dead-three-hurt", "أدى القصف على مدينة إدلب إلى سقوط قتيلين وثلاثة جرحى.", {"killed": 2, "injured": 3}),
    ("one-dead-two-hurt", "سقط قتيل وجريحان بقصف مدفعي على مدينة إدلب.", {"killed": 1, "injured": 2}),
    ("a-share-of-a-count", "سقط 21 عنصراً بين قتيل وجريح بتفجير انتحاري في مدينة تكريت.", {}),
    # the person before the verb is its subject: one killed, and two injured
    ("subject-before-the-verb", "قال مصدر إن عنصراً قتل وأصيب اثنان آخران بهجوم على حاجز في مدينة درعا.",
     {"killed": 1, "injured": 2}),
    ("subject-named-before-the-verb", "قال ناشطون إن شاباً يدعى سامر خليل قتل برصاص مجهولين في مدينة نوى.",
     {"killed": 1}),
    ("a-count-before-the-verb-and-another-hurt",
     "أكد المصدر أن عنصرين من الفرقة الرابعة قتلا وأصيب آخر بانفجار عبوة قرب مدينة تدمر.",
     {"killed": 2, "injured": 1}),
    ("and-a-third-hurt", "أكد المصدر أن عنصرين قتلا وأصيب ثالث بانفجار عبوة قرب مدينة تدمر.",
     {"killed": 2, "injured": 1}),
    ("met-their-death", "لقي 3 جنود مصرعهم بقصف على موقع قرب مدينة تدمر.", {"killed": 3}),
    ("lost-their-lives-en", "Two civilians lost their lives in a drone strike near Amuda.", {"killed": 2}),
    # an age in brackets is no count; the kin of the dead are no more dead; "an attack by militants" counts none
    ("an-age-in-brackets", "A farmer, Khalil Hassan (62), was shot dead by gunmen near Amuda.", {"killed": 1}),
    ("the-kin-of-the-dead", "تجمع أقارب القتيلين على الطريق وأطلقوا النار ما أدى إلى مقتل 3 أشخاص في بلدة داعل.",
     {"killed": 3}),
    ("an-attack-by-militants-en", "On Sunday, nine soldiers were killed in an attack by militants near Tadmur.",
     {"killed": 9}),
    # an operation fought over counts its dead
    ("an-arrest-fought-over", "ألقت قوات حرس الحدود القبض على 9 مهربين بعد اشتباكات أسفرت عن مقتل 4 منهم.",
     {"killed": 4, "arrested": 9}),
    ("an-arrest-that-was-the-cause", "اندلعت اشتباكات في بلدة ذيبان على خلفية إيقاف قسد لقائد المجلس العسكري.", {}),
    # a time of day is no count; a toll of dead and wounded together is neither
    ("a-time-of-day-en", "A drone hit a militia base in Makhmour at 14:35 PM, wounding two fighters.", {"injured": 2}),
    ("dead-and-wounded-together", "أكدت القيادة أن حصيلة الهجوم على قرية قرب كركوك بلغت 15 قتيلاً وجريحاً.", {}),
    ("one-of-the-terrorists", "ألقت مفارز الاستخبارات القبض على أحد الإرهابيين في قضاء الحويجة.", {"arrested": 1}),
    ("two-dealers", "ألقت الشرطة القبض على تاجري مخدرات في قضاء الزبير.", {"arrested": 2}),
    ("one-dead-and-another", "أسفرت الاشتباكات عن سقوط قتيل من أهالي قرية الدبس وآخر من قرية مجاورة قرب قضاء الدبس.",
     {"killed": 2}),
    ("the-number-rose-to", "أعلن مصدر أمني عن ارتفاع عدد القتلى في الهجوم على بلدة بعشيقة إلى 12 شخصاً.",
     {"killed": 12}),
    ("no-one-killed-or-hurt", "سقطت قذيفتا هاون على قاعدة بلد الجوية ولم تسفر عن سقوط قتلى أو جرحى.",
     {"killed": 0, "injured": 0}),
    ("no-casualties-recorded", "ألقى مجهولون قنبلة يدوية على منزل في بلدة هجين، دون تسجيل إصابات.",
     {"killed": 0, "injured": 0}),
    ("a-count-s-noun-is-no-subject", "أدى الهجوم في مدينة درعا إلى مقتل 5 أشخاص وإصابة عدد من المارة.",
     {"killed": 5}),
    # one person named before ("مقتله"), another ("وإصابة آخر"), a share ("اثنان منهم"), an arrest only tried
    ("his-death", "أطلق مسلحون النار على شاب في مدينة درعا ما أسفر عن مقتله.", {"killed": 1}),
    ("and-another", "استشهد جندي وإصابة آخر بانفجار عبوة ناسفة في مدينة الرقة.", {"killed": 1, "injured": 1}),
    ("a-share-of-them", "استهدفت مسيرة سيارة في مدينة القامشلي كان بداخلها ثلاثة أشخاص أصيب اثنان منهم.",
     {"injured": 2}),
    ("an-arrest-tried", "فجر انتحاري حزامه الناسف في مدينة القائم أثناء محاولة اعتقاله ما أدى إلى إصابة اثنين.",
     {"injured": 2}),
    ("active-verbs", "هاجم مسلحون مقراً في مدينة مخمور وقتلت 6 عناصر وأصابت 31 آخرين.", {"killed": 6, "injured": 31}),
    ("a-woman-and-two-children", "أسفر القصف على مدينة إدلب عن استشهاد امرأة وطفلان وإصابة عشرة آخرين.",
     {"killed": 3, "injured": 10}),
    ("no-other-injuries", "قتل شخصان بغارة في مدينة الدانا. وتأكدت الفرق من عدم وجود إصابات أخرى بعد نقل القتيلين.",
     {"killed": 2}),
    # how he died is no wound; an amount not given is no count; another event's toll after "فيما" is not this one's
    ("the-wound-he-died-of", "قتل رجل في مدينة الرقة جراء إصابته برصاص مجهولين.", {"killed": 1}),
    ("a-number-more", "قتل جنديان وأصيب عدد آخر بهجوم على حاجز في مدينة بعقوبة.", {"killed": 2}),
    ("another-toll-after-whereas", "قتلت امرأة بقصف مدفعي على بلدة البارة، فيما قتل نحو 10 مسلحين باشتباك شمالي المحافظة.",
     {"killed": 1}),
    ("assassinated", "اغتيلت ناشطة برصاص مجهولين في مدينة البصرة.", {"killed": 1}),
    ("took-her-life", "هاجم مسلحون سيارة امرأة في مدينة البصرة ما أودى بحياتها.", {"killed": 1}),
    # people named one by one (a nickname between names is no other person)
    ("names-listed", "أوقفت القوى الأمنية في مدينة بعلبك كلاً من محمد حسن، وعلي أحمد، الملقب أبو علي، ومحمد خالد، "
     "خلال مداهمات.", {"arrested": 3}),
    ("one-named", "أوقفت القوى الأمنية كلاً من المدعو أحمد في بلدة عرسال.", {}),
    ("arrest-words-apart", "نفذت الشرطة حملة أمنية ألقت القبض من خلالها على 10 مطلوبين في مدينة كركوك.",
     {"arrested": 10}),
    # a companion joined past the first person's own words, a relative named by a pronoun
    ("companion-far", "قُتلت مسؤولة في حزب الاتحاد الديمقراطي ومرافقها بغارة مسيرة على سيارة قرب القامشلي.",
     {"killed": 2}),
    ("driver-of", "قتل موظف حكومي وسائقه بانفجار عبوة ناسفة في مدينة الميادين.", {"killed": 2}),
    ("son-of", "اغتيل مختار القرية وابنه برصاص مجهولين في مدينة طفس.", {"killed": 2}),
    ("companion-past-another-clause", "قتل شرطي في مدينة درعا، وأعلن المحافظ الحداد.", {"killed": 1}),
    # who assassinated whom: the object counts
    ("assassinated-active", "اغتال مجهولون شاباً بالرصاص في مدينة الميادين.", {"killed": 1}),
    # the one named before, told again ("ما أدى إلى مقتله"), is not one more
    ("captives-are-no-count", "قالت الشبكة إن 6 عناصر من الجيش قتلوا وأسر 4 آخرون بهجوم على نقطة في مدينة الميادين.",
     {"killed": 6}),
    ("among-them-then-and", "قتل 14 شخصاً بينهم ثلاثة مدنيين وجرح العشرات باشتباكات في ريف مدينة الميادين.",
     {"killed": 14}),
    ("members-of-a-force-en", "Four members of the Iraqi army were killed in an ISIS attack in Jalawla.", {"killed": 4}),
    ("wounds-of-one-then-people-far", "أصيب الشاب سامي بجروح برصاص مجهولين في بلدة نصيب، وهو شقيق الشابين المقتولين.",
     {"injured": 1}),
    ("their-mother", "استشهد طفلان وأصيبت والدتهما بجروح جراء قصف مدفعي على قرية في ريف إدلب.",
     {"killed": 2, "injured": 1}),
    ("a-body-found", "عثر الأهالي على جثة شاب مقتولاً بالرصاص قرب بلدة الصور.", {"killed": 1}),
    ("two-bodies-found", "عثر الأهالي على جثتي شابين مقتولين بالرصاص قرب بلدة الصور.", {"killed": 2}),
    ("his-body-is-no-one-more", "قتل شاب برصاص مجهولين في بلدة الصور وعثر على جثته صباح اليوم.", {"killed": 1}),
    ("a-passenger", "أطلق مسلحون النار على سيارة في مدينة كركوك ما أدى إلى مقتل سائقها وإصابة راكب.",
     {"killed": 1, "injured": 1}),
    ("his-death-with-his-brother", "استهدف مسلحون عنصراً في بلدة الحراك ما أدى إلى مقتله مع شقيقه.", {"killed": 2}),
    ("an-age-is-no-count", "Three men aged between 30 to 40 were killed in a Turkish airstrike near Amedi.",
     {"killed": 3}),
    ("at-least-have-been-reported", "Four civilians at least have been reported killed in Turkish airstrikes near Duhok.",
     {"killed": 4}),
    ("her-father", "قتلت طفلة وأصيب والدها بجروح إثر انفجار عبوة ناسفة في قضاء أبي الخصيب.",
     {"killed": 1, "injured": 1}),
    ("rounds-fired-are-no-people", "قتل شاب بإطلاق 5 أعيرة نارية عليه في بلدة طفس.", {"killed": 1}),
    ("the-other-one", "قتل شاب برصاص مجهولين في بلدة طفس، والآخر أصيب بجروح.", {"killed": 1, "injured": 1}),
    ("named-first-an-adjective-between", "ناشطة مدنية اغتيلت اليوم وسط مدينة البصرة بأيدي مسلحين مجهولين.",
     {"killed": 1}),
    ("two-of-them-killed-verb-after", "إن اثنين من عناصر الحشد العشائري قتلا اليوم في قرية قرب مدينة الموصل.",
     {"killed": 2}),
    ("his-death-told-again", "قتل رجل برصاص مسلحين في مدينة الميادين ما أدى إلى مقتله على الفور.", {"killed": 1}),
    # "واحد" after the noun it counts is that one person (its و is no "and")
    ("one-after-the-person", "أصيب مواطن واحد بقصف مدفعي على قرية قرب بلدة الشيخان.", {"injured": 1}),
    ("one-after-the-person-accusative", "وقال مسؤول إن مواطناً واحداً أصيب في قصف على قرية قرب قضاء سنجار.",
     {"injured": 1}),
    ("one-kilogram-is-no-second-dealer", "ألقت الشرطة القبض على تاجر بحوزته كيلوغرام واحد من الحشيش في مدينة البصرة.",
     {"arrested": 1}),
    # "his death" is one, and those named with him after "و" more
    ("his-death-and-his-companion", "أطلق مسلحون النار على سيارة الناشط في مدينة البصرة ما أدى إلى مقتله ومرافقه.",
     {"killed": 2}),
    ("her-death-and-one-of-her-friends", "أطلق مسلحون النار على سيارة الناشطة في مدينة البصرة ما أدى إلى مقتلها "
     "وإحدى رفيقاتها.", {"killed": 2}),
    ("his-death-and-two-guards", "انفجرت عبوة ناسفة بسيارة القيادي في مدينة درعا ما أدى إلى مقتله واثنين من مرافقيه.",
     {"killed": 3}),
    ("his-death-and-three-hurt", "انفجرت عبوة بسيارة القيادي في مدينة درعا ما أدى إلى مقتله وإصابة ثلاثة.",
     {"killed": 1, "injured": 3}),
    ("lost-their-lives", "فقد شخصان حياتهما وأصيب آخرون جراء اقتتال عشائري في بلدة هجين.", {"killed": 2}),
    ("lost-their-lives-plural", "فقد ثلاثة عناصر من الشرطة حياتهم بهجوم على حاجز قرب مدينة كركوك.", {"killed": 3}),
    ("lives-at-risk-are-no-dead", "أصيب خمسة عناصر من الشرطة بهجوم على حاجز قرب مدينة كركوك، ولا تزال حياتهم في خطر.",
     {"injured": 5}),
    ("a-refugee", "قتل لاجئ عراقي جراء هجوم نفذه مجهولون بأداة حادة في مخيم الهول.", {"killed": 1}),
    ("displaced-people", "قتل ثلاثة نازحين بقصف مدفعي على مخيم قرب مدينة إدلب.", {"killed": 3}),
    ("one-soldier-and-three-hurt", "قتل جندي واحد وأصيب ثلاثة في هجوم على حاجز قرب مدينة كركوك.",
     {"killed": 1, "injured": 3}),
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


def test_a_sentence_repeating_a_count_fills_that_event() -> None:
    # the third sentence repeats the ambush's 11 dead: its 10 injured are the ambush's, not the bombing's
    text = ("قتل 11 عنصراً من الحشد الشعبي بكمين نصبه مسلحون قرب مدينة تكريت.\n"
            "وجاء الكمين بعد يومين من تفجير انتحاري في مدينة بغداد أسفر عن مقتل 32 مدنياً.\n"
            "وقالت مصادر في الحشد إن 11 عنصراً قتلوا وأصيب عشرة آخرون.")
    ambush = incidents_of(text)[0]
    assert (ambush.killed, ambush.injured) == (11, 10)


def test_a_later_sentence_with_numbers_fills_the_counts() -> None:
    text = "Gunmen attacked a checkpoint in Kirkuk. Two people were killed and three others injured."
    [attack] = incidents_of(text)
    assert (attack.killed, attack.injured) == (2, 3)


def test_a_protest_does_not_count_the_dead_it_protests() -> None:
    [protest, *_] = incidents_of("خرجت مظاهرة في مدينة القامشلي احتجاجاً على مقتل ثلاثة مدنيين.")
    assert protest.type == "protest" and protest.killed is None


def test_a_number_beyond_the_groups_place_is_not_its_size() -> None:
    [raid] = incidents_of("اعتقلت قوات الأمن خلية لتنظيم داعش في قرية تضم 300 شخص شرق مدينة الحسكة.")
    assert raid.arrested is None


def test_a_clash_with_a_number_of_gunmen_adds_nothing_to_the_dead() -> None:
    [clash] = incidents_of("قتل ثلاثة جنود خلال اشتباك مع أربعة مسلحين قرب مدينة كركوك.")
    assert clash.killed == 3


def test_a_month_s_toll_fills_no_event() -> None:
    text = ("Warplanes bombed the town of Atarib on Monday, killing 12 civilians.\n"
            "January's bombardment killed more than 40 civilians and wounded 90 others in rural Aleppo.")
    [strike] = incidents_of(text)
    assert (strike.killed, strike.injured) == (12, None)


def test_a_lead_s_total_broken_down_leaves_each_operation_its_share() -> None:
    text = ("اعتقال 6 مطلوبين غرب العراق\n"
            "أعلنت السلطات الأمنية اليوم اعتقال 6 مطلوبين في محافظة الأنبار.\n"
            "وقال البيان إن مفارز الأمن نفذت عملية ألقي القبض خلالها على أربعة مطلوبين في مدينة الرمادي.\n"
            "وأضاف أنه في عملية منفصلة أخرى، ألقت المفارز القبض على مطلوبين اثنين في مدينة الفلوجة.")
    first, second = incidents_of(text)
    assert (first.arrested, second.arrested) == (4, 2)
