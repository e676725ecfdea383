"""Fingerprints and verdicts of the duplicate detector (pure functions)."""

from __future__ import annotations

import pytest

from marsad.streams.dedup.minhash import band_keys, fingerprint_text, similarity
from marsad.streams.dedup.verdict import Candidate, decide

STORY = (
    "أعلنت وزارة الداخلية السورية أن إدارة مكافحة المخدرات ضبطت شحنة كبيرة من حبوب الكبتاغون "
    "كانت معدة للتهريب إلى الأردن عبر الحدود الجنوبية، وقالت الوزارة في بيان إن الشحنة ضمت نحو "
    "ثلاثة ملايين حبة مخبأة داخل شاحنة محملة بالخضار، وإن عناصر الدورية ألقوا القبض على سائق "
    "الشاحنة واثنين من مرافقيه بعد مطاردة قصيرة قرب بلدة نصيب في ريف درعا الشرقي. وأضاف البيان "
    "أن التحقيقات مستمرة لكشف بقية أفراد الشبكة ومصادر تمويلها، وأن المضبوطات أحيلت إلى القضاء."
)
EDITED = (STORY.replace("أعلنت", "قالت").replace("نحو", "قرابة")
          .replace("قصيرة", "سريعة") + " وكانت الوزارة قد أعلنت عمليات مماثلة الشهر الماضي.")
OTHER = (
    "التقى وزير الخارجية العراقي نظيره التركي في أنقرة لبحث ملف المياه وأمن الحدود المشتركة، "
    "وأكد الجانبان ضرورة تعزيز التعاون الاقتصادي وفتح معابر تجارية جديدة بين البلدين، كما ناقشا "
    "أوضاع اللاجئين والعودة الطوعية، واتفقا على عقد اجتماع للجنة المشتركة خلال الأشهر المقبلة."
)


def test_same_text_other_spacing_and_markup_has_the_same_exact_key():
    messy = STORY.replace(" ", "  ").replace("،", " ، ").replace("أ", "ا")
    assert fingerprint_text(messy).exact == fingerprint_text(STORY).exact


@pytest.mark.parametrize(("a", "b", "low", "high"), [
    (STORY, STORY, 1.0, 1.0),
    (STORY, EDITED, 0.7, 1.0),
    (STORY, OTHER, 0.0, 0.2),
], ids=["identical", "small-edits", "other-story"])
def test_similarity_estimates(a, b, low, high):
    s = similarity(fingerprint_text(a).signature, fingerprint_text(b).signature)
    assert low <= s <= high


def test_small_edits_share_a_band_and_other_stories_do_not():
    a, b, c = (set(fingerprint_text(t).bands()) for t in (STORY, EDITED, OTHER))
    assert a & b
    assert not a & c


def test_text_too_short_to_shingle_has_no_bands():
    assert fingerprint_text("عاجل").signature == ()
    assert band_keys(()) == []


def test_verdicts():
    fa, fb, fc = (fingerprint_text(t) for t in (STORY, EDITED, OTHER))
    assert decide("a", fa.signature, []).status == "original"
    assert decide("a", fa.signature, [Candidate("a", fa.signature)]).status == "original"  # itself: replay
    exact = decide("b", fa.signature, [Candidate("a", (), exact=True)])
    assert (exact.status, exact.first_id) == ("exact", "a")
    near = decide("b", fb.signature, [Candidate("a", fa.signature), Candidate("c", fc.signature)])
    assert (near.status, near.first_id) == ("near", "a") and near.similarity >= 0.7
    assert decide("c", fc.signature, [Candidate("a", fa.signature)]).status == "original"


def test_a_copy_points_at_the_first_copy_not_the_most_similar():
    fa, fb = fingerprint_text(STORY), fingerprint_text(EDITED)
    late = fingerprint_text(EDITED + " وفي سياق متصل")
    candidates = [Candidate("copy", fb.signature, seen_at=20.0), Candidate("first", fa.signature, seen_at=10.0)]
    verdict = decide("late", late.signature, candidates, threshold=0.6)
    assert (verdict.status, verdict.first_id) == ("near", "first")


def test_signature_is_datasketchs_minhash_of_the_word_2_shingles():
    from datasketch import MinHash

    from benchmarks.corpus import articles
    from marsad.streams.dedup.minhash import NUM_PERM, SEED, signature, words
    from marsad.streams.text.normalize import normalize

    texts = [d["text"] for d in articles(40)] + [STORY, EDITED, OTHER, "كلمة واحدة", "a b a b a b"]
    for text in texts:
        toks = words(normalize(text))
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch(list({" ".join(toks[i:i + 2]).encode() for i in range(len(toks) - 1)}))
        assert signature(toks) == tuple(int(x) for x in m.hashvalues)
