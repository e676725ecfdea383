"""Classification: the taxonomy file, term matching, topic scores and organisations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from marsad.streams.classify import Taxonomy, TaxonomyError, classify, find_orgs, topics_and_orgs
from marsad.streams.clean import clean
from marsad.streams.text.normalize import normalize
from tests.conftest import RESOURCES

ARTICLES = RESOURCES / "articles"
EXPECTED = yaml.safe_load((ARTICLES / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def topic_ids(text: str, taxonomy: Taxonomy, title: str = "") -> set[str]:
    return {t.id for t in classify(normalize(text), taxonomy, title_norm=normalize(title))}


def org_ids(text: str, taxonomy: Taxonomy) -> set[str]:
    return {o.id for o in find_orgs(normalize(text), taxonomy)}


def evidence_terms(text: str, taxonomy: Taxonomy, topic: str) -> set[str]:
    """Terms found for ``topic`` whether or not it is assigned."""
    return {m.entry.term.text for m in taxonomy.matcher.find(normalize(text), orgs=False) if m.entry.id == topic}


# --- matching: clitics, suffixes, spelling, word boundaries ---------------------------

# (text, topic, taxonomy term that must be found)
FOUND = {
    "clitics-wa-bi-al": ("وتاجر وبالكبتاغون في الحسكة", "narcotics", "كبتاغون"),
    "clitic-lil": ("حملة واسعة للمخدرات", "narcotics", "مخدر"),
    "clitic-chain-wa-lil": ("دعم وللميليشيات في البادية", "militias", "ميليشيات"),
    "feminine-suffix": ("ضبط حبوب مخدرة في درعا", "narcotics", "حبوب مخدرة"),
    "nisba-suffix": ("على الشريط الحدودي مع العراق", "smuggling", "الشريط الحدودي"),
    "pronoun-suffix": ("وتهريبها إلى الأردن", "smuggling", "تهريب"),
    "spelling-kabtajoun": ("ضبط حبوب كبتاجون", "narcotics", "كبتاجون"),
    "spelling-kaptagon-long-a": ("شحنة كابتاغون", "narcotics", "كابتاغون"),
    "spelling-milishia-short": ("عناصر مليشيا محلية", "militias", "مليشيا"),
    "spelling-milshiat-transposed": ("قادة الميلشيات الإيرانية", "militias", "الميلشيات الإيرانية"),
    "hamza-dropped": ("مكافحة الارهاب", "terrorism", "مكافحة الإرهاب"),
    "diacritics-and-tatweel": ("الكَبْتَاغُـــون", "narcotics", "كبتاغون"),
    "ta-marbuta-as-ha": ("خلية ارهابيه", "terrorism", "خلية إرهابية"),
    "quotes-inside-a-name": ('التحالف الدولي ضد تنظيم "الدولة الإسلامية"', "terrorism", "تنظيم الدولة الإسلامية"),
    "english-plural": ("U.S. airstrikes hit militias near the border", "militias", "militia"),
    "english-case": ("CAPTAGON seizure", "narcotics", "captagon"),
}

# (text, topic, taxonomy term that must NOT be found)
NOT_FOUND = {
    "visit-inside-ministry": ("أعلنت وزارة الداخلية", "diplomacy", "زار"),
    "border-inside-limited": ("عدد محدود من العناصر", "smuggling", "الحدود"),
    "weapon-of-disarmament": ("نزع سلاح الفصائل المسلحة", "arms", "سلاح"),
    "term-inside-longer-word": ("المحشيشات", "narcotics", "حشيش"),
    "latin-inside-word": ("the unsupervised session", "diplomacy", "UN"),
    "phrase-across-a-comma": ("عمليات، عسكرية", "military", "عمليات عسكرية"),
    "phrase-across-lines": ("عمليات\nعسكرية", "military", "عمليات عسكرية"),
}


@pytest.mark.parametrize(("text", "topic", "term"), list(FOUND.values()), ids=list(FOUND))
def test_terms_are_found(taxonomy: Taxonomy, text: str, topic: str, term: str) -> None:
    assert term in evidence_terms(text, taxonomy, topic)


@pytest.mark.parametrize(("text", "topic", "term"), list(NOT_FOUND.values()), ids=list(NOT_FOUND))
def test_terms_are_not_found_inside_other_words(taxonomy: Taxonomy, text: str, topic: str, term: str) -> None:
    assert term not in evidence_terms(text, taxonomy, topic)


# --- topic scores ----------------------------------------------------------------------

# (text, title, topics that must be assigned, topics that must not)
TOPICS = {
    "one-strong-term-assigns": ("ضبطت السلطات شحنة كبتاغون.", "", {"narcotics"}, set()),
    "one-weak-term-does-not": ("وصل الوفد إلى الحدود مساء أمس.", "", set(), {"smuggling", "diplomacy"}),
    "medium-term-repeated-does-not": ("تهريب. تهريب. تهريب. تهريب.", "", set(), {"smuggling"}),
    "two-medium-terms-assign": ("أحبط حرس الحدود عملية تهريب.", "", {"smuggling"}, set()),
    "title-tips-a-topic": ("وتواصل الحكومة العمل على الاستراتيجية الجديدة.",
                           "الحكومة تقر قانوناً جديداً", {"sanctions_policy"}, set()),
    "generic-militia-phrase-counts-for-militias": ("انتشرت الميليشيات الإيرانية في ريف دير الزور.", "",
                                                    {"militias"}, set()),
    "org-mention-is-evidence": ("هاجم عناصر من داعش حاجزاً في البادية.", "", {"terrorism"}, set()),
    "football-attack-and-counterpart": ("فاز المنتخب على نظيره بعد هجوم منظم في الشوط الثاني.", "",
                                        set(), {"military", "diplomacy"}),
    "a-source-on-the-phone-is-no-diplomacy": ("وقال مصدر أمني في اتصال هاتفي مع مراسلنا إن عبوة انفجرت.", "",
                                              set(), {"diplomacy"}),
    "a-call-between-ministers-is": ("بحث وزير الخارجية في اتصال هاتفي مع نظيره الأوضاع.", "", {"diplomacy"}, set()),
    "fuel-smuggling": ("أوقف الجيش شاحنة بتهمة تهريب محروقات إلى سوريا.", "", {"smuggling"}, set()),
}


@pytest.mark.parametrize(("text", "title", "want", "not_want"), list(TOPICS.values()), ids=list(TOPICS))
def test_topic_assignment(taxonomy: Taxonomy, text: str, title: str, want: set[str], not_want: set[str]) -> None:
    got = topic_ids(text, taxonomy, title)
    assert want <= got
    assert not got & not_want


# The same news in Arabic and in English must get the same topics: (id, Arabic, English, topics).
# Texts written for these tests.
PARITY = [
    ("seizure-at-the-border",
     "أحبطت الجمارك عملية تهريب شحنة كبتاغون على الحدود، وصادرت المضبوطات.",
     "Customs officers foiled a smuggling attempt at the border and seized a Captagon shipment.",
     {"narcotics", "smuggling", "security_ops"}),
    ("smugglers-chased",
     "طاردت الدوريات المهربين الذين فروا تاركين الحبوب المخدرة.",
     "Patrols chased the smugglers, who fled and left the narcotic pills behind.",
     {"narcotics", "smuggling"}),
    ("soldiers-killed-in-an-attack",
     "قتل ثلاثة جنود في هجوم شنه تنظيم داعش على نقطة للجيش.",
     "Three soldiers were killed in an ISIS attack on an army post.",
     {"terrorism", "military"}),
    ("militia-recruitment",
     "تواصل الميليشيات الإيرانية تجنيد الشبان في ريف دير الزور.",
     "Iran-backed militias keep recruiting young men in the Deir ez-Zor countryside.",
     {"militias"}),
    ("sanctions-on-financiers",
     "فرضت وزارة الخزانة عقوبات على ممولين لحزب الله.",
     "The Treasury Department sanctioned Hezbollah financiers.",
     {"sanctions_policy", "militias"}),
    ("camp-families-repatriated",
     "غادرت عشرات العائلات مخيم الهول ضمن رحلة إعادة جديدة للنازحين.",
     "Dozens of families left al-Hol camp in a new repatriation of displaced people.",
     {"humanitarian"}),
    ("headline-verbs",
     "الجيش الأردني يحبط محاولة تهريب مخدرات على الحدود السورية ويضبط كمية من الكبتاغون",
     "Jordanian army foils drug smuggling attempt on Syrian border, seizes Captagon",
     {"narcotics", "smuggling", "security_ops"}),
    ("raid-and-clashes",
     "داهمت قوات الأمن مقرا لخلية تابعة لداعش واشتبكت مع عناصرها.",
     "Security forces raided an ISIS cell's hideout and clashed with its members.",
     {"security_ops", "terrorism", "military"}),
    ("civilians-killed-in-strikes",
     "أسفرت الغارات عن مقتل خمسة مدنيين بينهم أطفال ونساء.",
     "The airstrikes killed five civilians, including children; civilian casualties are rising.",
     {"military", "humanitarian"}),
]


@pytest.mark.parametrize(("arabic", "english", "want"), [c[1:] for c in PARITY], ids=[c[0] for c in PARITY])
def test_arabic_and_english_get_the_same_topics(taxonomy: Taxonomy, arabic: str, english: str, want: set[str]) -> None:
    assert topic_ids(arabic, taxonomy) == want
    assert topic_ids(english, taxonomy) == want


def test_smuggling_named_in_passing_is_not_the_topic(taxonomy: Taxonomy) -> None:
    text = "ناقش المشرعون سبل تعطيل شبكات التهريب ضمن استراتيجية جديدة."
    assert "smuggling" not in topic_ids(text, taxonomy)


def test_no_civilian_casualties_is_no_humanitarian_news(taxonomy: Taxonomy) -> None:
    text = "U.S. forces struck a militia depot; there were no reports of civilian casualties."
    assert "humanitarian" not in topic_ids(text, taxonomy)


def test_scores_are_in_range_and_evidence_points_into_the_text(taxonomy: Taxonomy) -> None:
    text = clean((ARTICLES / "seizure_jordan_border.txt").read_text(encoding="utf-8"))
    title, body = text.split("\n", 1)
    norm, title_norm = normalize(body), normalize(title)
    topics = classify(norm, taxonomy, title_norm=title_norm, text=body, title_text=title)
    assert topics == sorted(topics, key=lambda t: -t.score)
    for topic in topics:
        assert 0.0 < topic.score <= 1.0
        assert topic.evidence
        for ev in topic.evidence:
            source, source_norm = (title, title_norm) if ev.field == "title" else (body, norm)
            assert source_norm.startswith(normalize(ev.text), ev.start)
            assert ev.text in source  # quoted as written, hamza and all
    assert {"title", "body"} <= {ev.field for t in topics for ev in t.evidence}


def test_off_topic_article_has_no_topics_and_no_orgs(taxonomy: Taxonomy) -> None:
    for name in ("football_match", "culture_festival"):
        text = clean((ARTICLES / f"{name}.txt").read_text(encoding="utf-8"))
        assert classify(normalize(text), taxonomy) == []
        assert find_orgs(normalize(text), taxonomy) == []


def test_empty_text(taxonomy: Taxonomy) -> None:
    assert classify("", taxonomy) == []
    assert find_orgs("", taxonomy) == []


# --- organisations -----------------------------------------------------------------------

# (text, orgs that must be found, orgs that must not)
ORGS = {
    "iraqi-hezbollah-is-kataib": ("تكليف ميليشيا “حزب الله العراقي” بالإشراف على المعبر",
                                  {"kataib_hezbollah"}, {"hezbollah"}),
    "kataib-hezbollah": ("قصف مواقع لكتائب حزب الله", {"kataib_hezbollah"}, {"hezbollah"}),
    "lebanese-hezbollah": ("عناصر من حزب الله اللبناني", {"hezbollah"}, {"kataib_hezbollah"}),
    "ndf-as-militia-name": ("وتعمل ميليشيا الدفاع الوطني على نقل الحبوب", {"ndf"}, set()),
    "ndf-not-the-defence-act": ("وقع الرئيس قانون تفويض الدفاع الوطني للعام 2023", set(), {"ndf"}),
    "regime-before-the-fall": ("قصفت قوات النظام ريف إدلب", {"assad_regime"}, set()),
    "regime-fallen": ("بعد سقوط نظام الأسد المخلوع تغيرت المعادلة", set(), {"assad_regime"}),
    "lions-share-is-not-assad": ("ما يزال التنظيم يمتلك حصة الأسد من الأسلحة", set(), {"assad_regime"}),
    "generic-militias-are-no-org": ("الميليشيات الإيرانية والفصائل العراقية", set(),
                                    {"irgc", "pmf", "kataib_hezbollah", "hezbollah"}),
    "isis-behind-quotes": ('التحالف الدولي لمحاربة تنظيم “الدولة الإسلامية”', {"isis", "coalition"}, set()),
    "internal-security-needs-sdf": ("اعتقلت قوى الأمن الداخلي شخصين", set(), {"asayish"}),
    "internal-security-with-sdf": ("اعتقلت قوى الأمن الداخلي التابعة لقسد شخصين", {"asayish", "sdf"}, set()),
    "us-state-department": ("قالت الخارجية الأميركية في بيان", {"us_state_department"}, set()),
    "us-secretary-is-not-the-department": ("قال وزير الخارجية الأمريكي", set(), {"us_state_department"}),
    "un-envoy": ("التقى المبعوث الأممي وفد المعارضة", {"un"}, set()),
    "english-names": ("The SDF and U.S. forces raided an ISIS cell; Wagner left.",
                      {"sdf", "us_forces", "isis", "wagner"}, set()),
    "english-pmf-hezbollah-daesh": ("Al-Hashd Al-Shaabi fighters and Hizbullah members repelled a Daesh attack.",
                                    {"pmf", "hezbollah", "isis"}, set()),
    "english-us-special-forces-centcom": ("US special forces raided the house, CENTCOM said.", {"us_forces"}, set()),
    "english-coalition-forces": ("Coalition forces struck the cell.", {"coalition"}, set()),
    "english-internal-security-with-sdf": ("The SDF and the Internal Security Forces arrested two men.",
                                           {"sdf", "asayish"}, set()),
    "english-lebanese-internal-security": ("Lebanese Internal Security Forces arrested two men.", set(), {"asayish"}),
    "russian-air-force": ("شن الطيران الروسي غارات على البادية", {"russian_forces"}, set()),
    "russian-warplanes": ("Russian warplanes struck positions in the desert.", {"russian_forces"}, set()),
    "us-special-forces-arabic": ("نفذت القوات الخاصة الأميركية عملية إنزال", {"us_forces"}, set()),
    "hashtags-with-underscores": ("دعت #الأمم_المتحدة إلى التحقيق في هجوم على #الحشد_الشعبي", {"un", "pmf"}, set()),
}


@pytest.mark.parametrize(("text", "want", "not_want"), list(ORGS.values()), ids=list(ORGS))
def test_orgs(taxonomy: Taxonomy, text: str, want: set[str], not_want: set[str]) -> None:
    got = org_ids(text, taxonomy)
    assert want <= got
    assert not got & not_want


def test_each_org_once_with_mentions_and_name_as_first_written(taxonomy: Taxonomy) -> None:
    text = "أعلنت “الأسايش” أن قوات سوريا الديمقراطية (قسد) ضبطت الشحنة، وقالت قسد إن للحشد الشعبي دوراً."
    orgs = find_orgs(normalize(text), taxonomy, text=text)
    by_id = {o.id: o for o in orgs}
    assert [o.id for o in orgs] == ["asayish", "sdf", "pmf"]
    assert by_id["asayish"].name == "الأسايش"  # hamza kept, quotes out
    assert by_id["sdf"].name == "قوات سوريا الديمقراطية"
    assert by_id["sdf"].mentions == 3
    assert by_id["pmf"].name == "الحشد الشعبي"  # ل + ال written لل: the article given back


def test_an_org_in_a_hashtag_is_named_with_spaces(taxonomy: Taxonomy) -> None:
    text = "استهدفت غارة مقراً لـ #الحشد_الشعبي غرب الأنبار."
    assert [(o.id, o.name) for o in find_orgs(normalize(text), taxonomy, text=text)] == [("pmf", "الحشد الشعبي")]


def test_topics_and_orgs_give_what_classify_and_find_orgs_give(taxonomy: Taxonomy) -> None:
    for path in sorted(ARTICLES.glob("*.txt")):
        text = clean(path.read_text(encoding="utf-8"))
        title, norm = normalize(text.split("\n", 1)[0]), normalize(text)
        assert topics_and_orgs(norm, taxonomy, title, text=text) == (
            classify(norm, taxonomy, title, text=text), find_orgs(norm, taxonomy, text=text))


# --- whole articles ------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(EXPECTED), ids=list(EXPECTED))
def test_resource_articles(taxonomy: Taxonomy, name: str) -> None:
    want = EXPECTED[name]
    text = clean((ARTICLES / f"{name}.txt").read_text(encoding="utf-8"))
    topics = topic_ids(text, taxonomy)
    assert set(want["topics"]) <= topics <= set(want["topics"]) | set(want.get("topics_allowed", []))
    assert org_ids(text, taxonomy) == set(want["orgs"])


def test_seeds_match_the_gold_labels(taxonomy: Taxonomy, seeds_gold: list[tuple[dict, str]]) -> None:
    for gold, text in seeds_gold:
        norm = normalize(clean(text))
        topics = {t.id for t in classify(norm, taxonomy)}
        orgs = {o.id for o in find_orgs(norm, taxonomy)}
        assert set(gold["topics"]) <= topics <= set(gold["topics"]) | set(gold["topics_optional"]), gold["id"]
        assert set(gold["orgs"]) <= orgs <= set(gold["orgs"]) | set(gold["orgs_optional"]), gold["id"]


# --- the taxonomy file ----------------------------------------------------------------------

MINIMAL = """
scoring: {levels: {strong: 1.0, weak: 0.2}}
topics:
  narcotics:
    name: المخدرات
    terms: {strong: [كبتاغون]}
orgs:
  sdf: {name: قسد, forms: [قسد]}
"""


def write(tmp_path: Path, content: str, name: str = "tax.yaml") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


# (document, the "path: " an error must name)
ERRORS = {
    "unknown-level": (MINIMAL.replace("{strong: [كبتاغون]}", "{huge: [كبتاغون]}"), "topics.narcotics.terms.huge"),
    "empty-term": (MINIMAL.replace("[كبتاغون]", "[كبتاغون, '']"), r"topics.narcotics.terms.strong\[1\].term"),
    "term-without-letters": (MINIMAL.replace("[كبتاغون]", "['...']"), r"topics.narcotics.terms.strong\[0\].term"),
    "unknown-term-field": (MINIMAL.replace("[كبتاغون]", "[{term: كبتاغون, weight: 2}]"),
                           r"topics.narcotics.terms.strong\[0\].weight"),
    "context-not-a-list": (MINIMAL.replace("[قسد]", "[{term: قسد, preceded_by: قوات}]"),
                           r"orgs.sdf.forms\[0\].preceded_by"),
    "context-of-two-words": (MINIMAL.replace("[قسد]", "[{term: قسد, preceded_by: [قوات سوريا]}]"),
                             r"orgs.sdf.forms\[0\].preceded_by"),
    "with-orgs-unknown": (MINIMAL.replace("[قسد]", "[{term: قسد, with_orgs: [nato]}]"),
                          r"orgs.sdf.forms\[0\].with_orgs"),
    "with-orgs-on-a-topic-term": (MINIMAL.replace("[كبتاغون]", "[{term: كبتاغون, with_orgs: [sdf]}]"),
                                  r"topics.narcotics.terms.strong\[0\].with_orgs"),
    "org-topic-unknown": (MINIMAL.replace("forms: [قسد]}", "forms: [قسد], topics: {sports: strong}}"),
                          "orgs.sdf.topics.sports"),
    "org-without-name": (MINIMAL.replace("{name: قسد, forms: [قسد]}", "{forms: [قسد]}"), "orgs.sdf.name"),
    "bad-id": (MINIMAL.replace("  narcotics:", "  Narcotics:"), "topics.Narcotics"),
    "threshold-out-of-range": (MINIMAL.replace("name: المخدرات", "name: المخدرات\n    threshold: 1.5"),
                               "topics.narcotics.threshold"),
    "weight-not-a-number": (MINIMAL.replace("weak: 0.2", "weak: high"), "scoring.levels.weak"),
    "unknown-top-field": (MINIMAL + "places: {}\n", "top level.places"),
    "same-words-twice": (MINIMAL.replace("[كبتاغون]", "[كبتاغون, الكبتاغون]"), r"topics.narcotics.terms.strong\[1\]"),
    "key-written-twice": (MINIMAL + "topics: {}\n", "'topics' is written twice"),
    "not-yaml": ("topics: [unclosed", "not valid YAML"),
}


@pytest.mark.parametrize(("content", "where"), list(ERRORS.values()), ids=list(ERRORS))
def test_taxonomy_errors_name_the_entry_and_field(tmp_path: Path, content: str, where: str) -> None:
    with pytest.raises(TaxonomyError, match=rf"tax\.yaml: .*{where}"):
        Taxonomy.load(write(tmp_path, content))


def test_missing_taxonomy_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        Taxonomy.load(tmp_path / "nope.yaml")


def test_default_taxonomy_has_the_contract_ids(taxonomy: Taxonomy) -> None:
    assert set(taxonomy.topics) == {"narcotics", "arms", "terrorism", "militias", "smuggling", "security_ops",
                                    "military", "diplomacy", "sanctions_policy", "humanitarian"}
    assert set(taxonomy.orgs) == {"sdf", "asayish", "isis", "irgc", "hezbollah", "kataib_hezbollah",
                                  "kataib_sayyid_al_shuhada", "ndf", "pmf", "hts", "assad_regime", "us_forces",
                                  "coalition", "us_state_department", "us_congress", "un", "russian_forces",
                                  "wagner"}


def test_version_is_a_hash_of_the_content(tmp_path: Path) -> None:
    a = Taxonomy.load(write(tmp_path, MINIMAL, "a.yaml"))
    b = Taxonomy.load(write(tmp_path, MINIMAL, "b.yaml"))
    c = Taxonomy.load(write(tmp_path, MINIMAL.replace("كبتاغون", "كبتاجون"), "c.yaml"))
    assert a.version == b.version != c.version
    assert Taxonomy.load().version == Taxonomy.load().version


def test_a_standalone_taxonomy_replaces_the_default(tmp_path: Path) -> None:
    tax = Taxonomy.load(write(tmp_path, MINIMAL))
    text = normalize("ضبطت قسد شحنة كبتاغون قرب الحدود مع داعش")
    assert [t.id for t in classify(text, tax)] == ["narcotics"]
    assert [o.id for o in find_orgs(text, tax)] == ["sdf"]


def test_a_taxonomy_can_extend_the_default(tmp_path: Path, taxonomy: Taxonomy) -> None:
    tax = Taxonomy.load(write(tmp_path, """
extends: default
topics:
  narcotics:
    terms: {strong: [البودرة البيضاء]}
  cyber:
    name: الأمن السيبراني
    terms: {strong: [هجوم سيبراني, اختراق إلكتروني]}
orgs:
  hts:
    forms: [الهيئة]
"""))
    assert set(tax.topics) == set(taxonomy.topics) | {"cyber"}
    assert "narcotics" in topic_ids("ضبط كيس من البودرة البيضاء", tax)
    assert "narcotics" in topic_ids("ضبط حبوب كبتاغون", tax)  # the default's terms stay
    assert "cyber" in topic_ids("تعرضت الوزارة لهجوم سيبراني", tax)
    assert {"hts", "isis"} <= org_ids("اشتبكت الهيئة مع خلايا داعش", tax)
    assert tax.version != taxonomy.version
