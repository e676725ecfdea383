"""How many were killed, injured or arrested in the event a sentence reports.

A count is a number next to a casualty or arrest word (vocabulary `cues`):
after it ("مقتل 4 جنود", "killing four", "اعتقال 14 شخصاً") or before it
("25 شهيداً", "two others wounded"), with approximate words in between
("أكثر من 25" = 25). Numbers are what `numbers` reads (digits, count words,
duals, "a soldier"), and a singular person noun ("مقتل عنصر" = 1). Counts
joined by "و" / "and" / a comma add up ("ضابطاً وأربعة جنود" = 5, "سبعة أشخاص
سوريين وفلسطينياً" = 8), and so does a count or a person added further on ("62
شخصاً ... بالإضافة إلى 34 آخرين" = 96, "along with two others", "بالإضافة إلى
مدني"). A count another casualty word follows at once is that word's ("two were
killed and three others injured"). A group arrested or killed counts by its
size ("خلية مكونة من ثلاثة أشخاص" = 3, "a cell of three"); its members named
after it in the sentence ("واعتقال أحد قادتها") are in that count. An arrest verb far from its object (Arabic puts the subject and
the place first: "أوقفت وحدة من الجيش عند حاجز ... 62 سورياً") takes the first
count of people after it. A number followed by goods or time ("400 ألف حبة",
"15 عاماً") is not a count; vague amounts ("عشرات", "عدد آخر") are not numbers. "دون
إصابات" / "no casualties" gives 0. "مقتل وإصابة 10" (one number for both)
gives neither.

A casualty word can be its own count: a casualty noun ("سقوط قتيل" = 1,
"قتيلين" = 2), a pronoun form of one or two named before ("ما أدى إلى مقتله",
"أودى بحياتها", "مقتلهما"; with one named with him: "مقتله مع شقيقه", "تاجر مع طفله"), a person in the
accusative before the verb ("إن
عنصراً قتل"). A share is its share ("أصيب اثنان منهم"). Not counted: an arrest
only tried ("محاولة اعتقاله"), the wound a man died of ("جراء إصابته"),
another event's toll told after "فيما" in the same sentence, and a toll over a
period ("أوقعت نحو 150 قتيلاً هذا الشهر").
"""

from __future__ import annotations

from collections.abc import Collection
from operator import itemgetter

from marsad.streams.extract.incidents.numbers import (
    Number,
    conjoined,
    number_tokens,
    numbers_of,
    of_people,
    person_soon,
)
from marsad.streams.extract.incidents.sentences import Words
from marsad.streams.extract.incidents.vocab import Cue, IncidentVocab

COUNTS = ("killed", "injured", "arrested")
_WINDOW = 4  # words between a casualty word and its number
_FAR = 12  # words between an arrest or casualty verb and a count of people it takes as object
_GROUP_WORDS = 6  # words between a group ("خلية") and its size ("مكونة من ثلاثة")
_ADD_WORDS = 8  # words between a count and one added to it ("... بالإضافة إلى 34 آخرين")
_JOINERS = {"و", "and", "،", ","}
_DUAL_PRONOUN = "هما"  # "مقتلهما": a casualty word of two people named before
_DUAL_VERBS = frozenset({"قتلا", "استشهدا", "اصيبا", "اغتيلا", "اعتقلا"})  # a verb of two: "قتلا", "أصيبا"
_NAMES_WORDS = 40  # tokens after "كلاً من" read for the names it lists
_COMPANION_WORDS = 7  # a person's words before one joined to them ("قيادية في حزب العمال ومرافقها")
_OF_THEM = frozenset({"منهم", "منهما", "منهن"})  # a share of people named before: "أصيب اثنان منهم"
_PLACE_WORDS = {"في", "بمدينه", "بقريه", "in", "at", "near", "قرب", "داخل"}  # the group's phrase ends at its place
_NISBA_PLURAL = ("يين", "يون")  # an adjective of origin after a count: "سبعة أشخاص سوريين"
_AUXILIARIES = {"was", "were", "are", "is", "been", "have", "has", "had"}  # "three others were injured"
# "at least have been reported", an age between ("aged between 30 to 40")
_FILLERS = _AUXILIARIES | {"at", "least", "reported", "reportedly", "confirmed", "also", "all", "aged", "between", "to"}
# (the captives of a fight are counted as nothing: their word only keeps a count near it from the others)
_COUNTED_AS = {"killed": "killed", "injured": "injured", "arrested": "arrested", "seized_people": "arrested",
               "captured": "captured"}
_LABEL = itemgetter(2)  # of a Cue, in C
_NISBA_ONE = ("يه", "ي")  # an adjective of one person ("مدنية", "كردي")
_HIS = ("ه", "ها", "هما", "هم")  # a possessive pronoun: "ومرافقها", "وسائقه"
_FILLER_WORDS = 6  # English auxiliaries, hedges and an age a count may stand apart by ("at least have been reported")
_THE_OTHER = frozenset({"الاخر", "الاخري", "الثاني", "الثانيه"})  # "والآخر أصيب": one more
_SHARE_OF = frozenset({"including", "among", "بينهم", "بينهما", "بينهن"})  # a share of the count before it
_NUMBER_OF = frozenset({"عدد", "حصيله"})  # "ارتفاع عدد القتلى إلى 12": the number after "إلى" is theirs
_RISEN_WORDS = 10  # words between the casualty word and "إلى"
_AND_ANOTHER = frozenset({"واخر", "واخري"})  # "قتيل ... وآخر": one more
_KIN = frozenset({"اقارب", "ذوي", "ذوو", "عائله", "عائلات", "اهالي", "اسر", "اسره", "relatives", "families",
                  "family"})  # whose kin: "أقارب القتيلين" are no more dead
_NAMED_AS = frozenset({"يدعي", "ويدعي", "اسمه"})  # "مدنياً يدعى سامر خليل قتل": the person's name follows
_NAME_WORDS = 4  # the words a person's name may take
_PREPOSITIONS = {"من", "مع", "عن", "علي", "الي", "بين", "ضد", "with", "from", "of", "against", "between", "to"}
_PERIOD_LABELS = frozenset({"mo:0", "period_total"})  # "هذا الشهر", "منذ مطلع العام": a toll told over a period
_PERIOD_WORDS = 3  # words between a casualty word and the period its toll is over ("killing 150 people this month")
_COMPANION_GAP = 2  # words between a person counted and "مع" naming one with him ("تاجر ذهب مع طفله")


def counts(words: Words, cues: list[Cue], vocab: IncidentVocab, wanted: Collection[str] = COUNTS) -> dict[str, int]:
    """{count name: value} for the counts in ``wanted`` the sentence states."""
    out: dict[str, int] = {}
    if "no_casualties" in map(_LABEL, cues):
        out.update({name: 0 for name in ("killed", "injured") if name in wanted})
    # "ضبطت سبعة أشخاص": a seizure word counts arrests when people follow it
    # one hit a word and kind: "القبض" inside "القبض على" is the same arrest word
    # (a casualty word inside "no casualties" counts no one: "no one was hurt")
    none_spans = [(c.start, c.end) for c in cues if c.label == "no_casualties"]
    hits = list(dict.fromkeys((words.index_at(c.start), _COUNTED_AS[c.label], c.label)
                              for c in cues if c.label in _COUNTED_AS
                              and not any(a <= c.start and c.end <= b for a, b in none_spans)))
    if not hits:
        return out
    cue_at = {i for i, _, _ in hits}
    over_period = {words.index_at(c.start) for c in cues if c.label in _PERIOD_LABELS}
    at = number_tokens(words, cues)
    months = {words.index_at(c.start) for c in cues if c.label.startswith("mo:")}
    numbers = numbers_of(words, at, months, vocab, cue_at)
    used: set[int] = set()
    plain = [(i, label) for i, label, _ in hits]
    found: dict[str, list[list[Number]]] = {}
    for k, (i, label, cue) in enumerate(hits):
        if _combined(plain, k, words, numbers, vocab):
            continue
        his = label not in found and (words.is_in(i, vocab.tokens["casualty_his"]) or _his_life(words, i))
        with_him = _with_him(words, i, vocab, numbers, used, cue_at) if his else []
        group = [] if with_him else _attached(i, numbers, used, words, vocab, cue_at, far=label not in found)
        if not group and label not in found and (words.toks[i].endswith(_DUAL_PRONOUN)
                                                 or words.is_in(i, _DUAL_VERBS)):
            # "مقتلهما", "إصابتهما": the two of them; "اثنين من عناصر الحشد العشائري السني قتلا": a verb of two
            group = [Number(2, i, i + 1, "implied")]
        if not group and his:
            # "ما أدى إلى مقتله", "لإصابته": the one named before (not one more: "قتل رجل ... ما أدى إلى مقتله"),
            # and one with him ("مقتله مع شقيقه")
            group = [Number(1, i, i + 1, "implied"), *with_him]
        if not group and i and words.toks[i - 1] in _NUMBER_OF:
            group = _risen_to(words, i, numbers, used, cue_at)  # "ارتفاع عدد القتلى في الهجوم على البلدة إلى 12 شخصاً"
        if not group and _one_by_itself(words, i, vocab):
            group = [Number(1, i, i + 1, "implied")]  # "سقوط قتيل", "قتيل وجريحان"
            if _and_another(words, i, cue_at):
                group.append(Number(1, i + 1, i + 2, "implied"))  # "قتيل من أهالي القرية وآخر من قرية مجاورة"
        if group and cue == "seized_people" and not of_people(words, group[0], vocab):
            continue
        if label == "arrested" and i and (words.is_in(i - 1, vocab.tokens["attempt"])
                                          or words.is_in(i - 1, vocab.tokens["cause_before"])
                                          or words.toks[i - 1] == "خلفيه"):
            continue  # "أثناء محاولة اعتقاله": no one was arrested; "على خلفية إيقاف قائد": another event, the cause
        if _kin_of(words, i):
            continue  # "وتجمع أقارب القتيلين": the dead told of before, no more of them
        if over_period and any(i < j <= i + _PERIOD_WORDS for j in over_period):
            continue  # "أعمال عنف أوقعت نحو 150 قتيلاً هذا الشهر": a month's toll, not this event's
        if label == "injured" and i and words.is_in(i - 1, vocab.tokens["cause_before"]):
            continue  # "قتل رجل جراء إصابته": how he died
        if label in found and _after_contrast(words, found[label][-1][0].start, i, vocab):
            continue  # "قتلت امرأة ... فيما قتل نحو 10 مسلحين": another event's toll
        if group and label in wanted:
            group += _added(group[-1], numbers, used, words, vocab, cue_at, i)
            if len(group) == 1 and group[0].value == 1 and not with_him:
                group += _companion(words, group[0].end, vocab)  # "قُتل تاجر ذهب مع طفله": two
            found.setdefault(label, []).append(group)
    for label, groups in found.items():
        if any(g[0].kind == "group" for g in groups):  # a group's size holds the members named with it
            groups = [g for g in groups if any(n.kind != "implied" for n in g)]
        out[label] = out.get(label, 0) + sum(n.value for g in groups for n in g)
    return out


def _risen_to(words: Words, i: int, numbers: list[Number], used: set[int], cue_at: set[int]) -> list[Number]:
    """The number "إلى" gives after "عدد" and the casualty word at token ``i`` ("ارتفاع عدد القتلى في الهجوم
    على البلدة إلى 12 شخصاً"), or none (nor when a casualty word of its own counts it: "إلى 14 شهيداً")."""
    toks = words.toks
    for j in range(i + 1, min(len(toks), i + 1 + _RISEN_WORDS)):
        if toks[j] in ("الي", "to"):
            k = next((k for k, n in enumerate(numbers) if n.start == j + 1 and k not in used), None)
            if k is not None and not any(c in cue_at for c in range(numbers[k].start, numbers[k].end + 1)):
                used.add(k)
                return [numbers[k]]
            return []
    return []


def _and_another(words: Words, i: int, cue_at: set[int]) -> bool:
    """Whether "وآخر" follows the casualty noun at token ``i`` closely, no other casualty word between."""
    for j in range(i + 1, min(len(words.toks), i + _COMPANION_WORDS)):
        if j in cue_at:
            return False
        if words.toks[j] in _AND_ANOTHER:
            return True
    return False


def _kin_of(words: Words, i: int) -> bool:
    """Whether the casualty word at token ``i`` names whose kin they are ("أقارب القتيلين", "families of the dead")."""
    toks = words.toks
    j = i - 2 if i > 1 and toks[i - 1] in ("of", "the") else i - 1
    if j > 0 and toks[j] == "of":
        j -= 1
    return j >= 0 and words.is_in(j, _KIN)


def _combined(hits: list[tuple[int, str]], k: int, words: Words, numbers: list[Number], vocab: IncidentVocab) -> bool:
    """Whether hit ``k`` and a casualty word of another kind share one number ("مقتل وإصابة 10",
    "killed and injured 10", "five were killed and wounded"); not when each has a number of its own
    ("أربعة قتلوا وأصيب خمسة")."""
    i, label = hits[k]
    if label == "arrested":
        return False
    for j, other in hits:
        if other in (label, "arrested"):
            continue
        first, second = min(i, j), max(i, j)
        joined = (second == first + 1 and words.toks[second].startswith("و")) or \
            (second == first + 2 and words.toks[first + 1] in ("and", "و"))
        counted_noun = any(n.start < first < n.end for n in numbers)  # "23 قتيلاً وجريحاً": the number's noun
        if joined and (any(n.start in (first, second) for n in numbers)
                       or words.is_in(first, vocab.tokens["casualty_his"])  # "مقتله وإصابة ثلاثة": he is one
                       or words.toks[first].endswith(_DUAL_PRONOUN)  # "حياتهما وأصيب آخرون": the two of them
                       or (_one_by_itself(words, first, vocab) and not counted_noun)
                       or _one_before(words, first, vocab, numbers)
                       or (words.is_in(second + 1, vocab.people_words)
                           and any(n.end <= first and first - n.end < _WINDOW for n in numbers))):
            # each word has a count of its own: "قتيلان وجريح", "قتيل وجريحان", "عنصراً قتل وأصيب اثنان",
            # "عنصرين قتلا وأصيب آخر"
            return False
        if joined:
            before = any(n.end <= first and first - n.end < _WINDOW for n in numbers)
            after = any(n.start > second and n.start - second <= _WINDOW for n in numbers)
            return not (before and after)
    return False


def _attached(i: int, numbers: list[Number], used: set[int], words: Words, vocab: IncidentVocab,
              cue_at: set[int], far: bool = True) -> list[Number]:
    """The count (possibly several joined) that belongs to the casualty word at token ``i``
    (``cue_at``: where the sentence's casualty words stand; a search stops at another one); ``far``: whether
    people far after it may be its object (not for a word of a kind already counted: "أصيب شاب بجروح")."""
    toks = words.toks
    approx = vocab.tokens["approximate"]
    free_at: dict[int, int] = {}  # token -> the first count not yet used that starts there
    named = _names_listed(i, words, vocab, cue_at)
    if named:  # "أوقفت كلاً من محمد ...، وعلي ...، ومحمد ...": three
        return [Number(named, i + 1, i + 2, "implied")]
    share = _share_after(i, numbers, used, words)
    if share is not None:  # "ثلاثة أشخاص أصيب اثنان منهم": the two
        return _joined(share, numbers, used, words, cue_at, vocab, i)
    for k, num in enumerate(numbers):
        if k not in used:
            if num.start < i < num.end or (i == num.end and not _and_opens(words, i)):
                # right before: "25 شهيداً", "100 جريح", "5 عناصر قتلوا"; not "بينهم ثلاثة مدنيين وجرح العشرات"
                return _joined(_list_start(k, numbers, used, words, cue_at), numbers, used, words, cue_at, vocab, i)
            if num.start == i:  # the casualty word is a count itself: "سقوط قتيلين", "وجريحان"
                return _joined(k, numbers, used, words, cue_at, vocab, i)
            free_at.setdefault(num.start, k)
    # after: "مقتل 4", "مقتل أكثر من 25", "killing four"; "مقتل عنصر" (a person alone is one)
    j = i + 1
    steps = 0
    while j < len(toks) and steps < _WINDOW and j not in cue_at:
        free = free_at.get(j)
        if free is not None:
            if _told_by(words, numbers[free], cue_at) is not None or _counts_a_cue(words, numbers[free], cue_at):
                break  # "two were killed and three others injured", "قتيلين وثلاثة جرحى": the three are the injured
            return _joined(free, numbers, used, words, cue_at, vocab, i)
        if words.is_in(j, vocab.tokens["vague_amount"]):
            return []  # "وأصيب عدد آخر": how many is not said
        if words.is_in(j, vocab.tokens["group"]):  # "خلية مكونة من ثلاثة أشخاص", "a cell of three"
            group = _group_size(j, numbers, used, words, vocab, cue_at)
            if group is not None:
                numbers[group].kind = "group"
                return _joined(group, numbers, used, words, cue_at, vocab, i)
        if words.is_in(j, vocab.tokens["person"]):
            return _singles(words, j, vocab, numbers, used, cue_at, i)
        skip = words.phrase_at(j, approx)
        j += skip or 1
        steps += 1
    # before: "two others wounded", "ضابطاً وأربعة جنود قتلوا"
    best = None
    for k, num in enumerate(numbers):
        gap = i - num.end
        if k not in used and gap >= 0 and (gap < _WINDOW or (gap < _WINDOW + _FILLER_WORDS and words.toks[i].isascii()
                                                            and (_partitive(words, num, i)
                                                                 or _english_gap(words, num.end, i) < _WINDOW))) and \
                not any(num.end <= c < i for c in cue_at):
            best = k
    if best is not None and toks[i].startswith("و") and not toks[i].isascii():
        best = None  # "11 مدنياً بينهم خمسة أطفال وإصابة العشرات": "و" starts another clause
    while best and numbers[best].start and toks[numbers[best].start - 1] in _SHARE_OF and best - 1 not in used:
        best -= 1  # "five others, including two children, were killed": the five
    if best is not None:
        return _joined(_list_start(best, numbers, used, words, cue_at), numbers, used, words, cue_at, vocab, i)
    # before, singular: "An Iraqi soldier was killed", "إن عنصراً قتل"
    for j in range(max(0, i - _WINDOW), i):
        if toks[j] in ("a", "an") and person_soon(words, j + 1, vocab):
            return [Number(1, j, j + 1, "implied")]
    if _one_before(words, i, vocab, numbers):
        return [Number(1, i - 1, i, "implied")]
    # far after, people only: "أوقفت وحدة من الجيش عند حاجز دير عمار 62 سورياً"
    for k, num in enumerate(numbers if far else ()):
        if num.start > i + _FAR or any(i < c < num.start for c in cue_at):
            break
        if k not in used and num.start > i and num.start not in cue_at and of_people(words, num, vocab) and \
                not _governed(words, num.start, vocab):  # not a casualty word's own ("القتيلين")
            return _joined(k, numbers, used, words, cue_at, vocab, i)
    return []


def _governed(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether the number at token ``i`` follows a preposition or a group's "of" ("قرية تضم 300 شخص",
    "مع أربعة مسلحين"): it is not the object of a verb before it."""
    before = i - 1
    return before < 0 or words.toks[before] in _PREPOSITIONS or \
        any(words.phrase_at(p, vocab.tokens["group_of"]) == i - p for p in range(max(0, i - 3), i))


def _group_size(j: int, numbers: list[Number], used: set[int], words: Words, vocab: IncidentVocab,
                cue_at: set[int]) -> int | None:
    """The count giving the size of the group named at token ``j`` ("خلية تابعة لداعش مكونة من ثلاثة
    أشخاص", "a gang of four"), or None."""
    for m in range(j + 1, min(j + 1 + _GROUP_WORDS, len(words.toks))):
        if m in cue_at or words.toks[m] in _PLACE_WORDS:
            return None
        size = words.phrase_at(m, vocab.tokens["group_of"])
        if size:
            k = next((x for x, num in enumerate(numbers) if num.start == m + size and x not in used), None)
            if k is not None:
                return k
    return None


def _added(last: Number, numbers: list[Number], used: set[int], words: Words, vocab: IncidentVocab,
           cue_at: set[int], i: int) -> list[Number]:
    """Counts added further on to the one ending with ``last`` ("62 شخصاً داخل 4 آليات، بالإضافة إلى
    34 آخرين", "two soldiers, along with three others"): the added count follows an `addition` phrase
    and is of `others` or of people; none across another casualty word."""
    out: list[Number] = []
    for k, num in enumerate(numbers):
        if k in used or num.start < last.end:
            continue
        if num.start - last.end > _ADD_WORDS or any(last.end <= c <= num.start for c in cue_at):
            break  # (a casualty word that is a count, "وجريحان", is its own)
        if _addition_before(words, num.start, last.end, vocab) and _told_by(words, num, cue_at) is None and \
                (words.is_in(num.end - 1, vocab.tokens["others"]) or of_people(words, num, vocab)):
            more = _joined(k, numbers, used, words, cue_at, vocab, i)
            out += more
            last = more[-1]
    # one person added: "مقتل عنصرين من الشرطة، بالإضافة إلى مدني"
    for j in range(last.end, min(last.end + _ADD_WORDS, len(words.toks))):
        if j in cue_at or any(num.start == j for num in numbers):
            break
        size = words.phrase_at(j, vocab.tokens["addition"])
        if size and not words.toks[j].isascii() and words.is_in(j + size, vocab.tokens["person"]):
            out.append(Number(1, j + size, j + size + 1))
            break
    return out


def _partitive(words: Words, num: Number, i: int) -> bool:
    """Whether the English count before the casualty word at token ``i`` names a part of a force ("Eleven
    members of Iraqi forces were killed", "four members of the Iraqi army were killed")."""
    toks = words.toks
    return toks[num.end:num.end + 1] == ["of"] and toks[i - 1] in _AUXILIARIES


def _english_gap(words: Words, start: int, i: int) -> int:
    """The words between ``start`` and the casualty word at ``i`` but English auxiliaries, hedges and an age
    ("Four civilians at least have been reported killed", "three men aged between 30 to 40 were killed": none)."""
    return sum(1 for tok in words.toks[start:i] if tok not in _FILLERS and not tok.isdigit())


def _and_opens(words: Words, i: int) -> bool:
    """Whether the Arabic token ``i`` carries "و" ("وجرح"): it opens another clause."""
    tok = words.toks[i]
    return tok.startswith("و") and len(tok) > 2 and not tok.isascii()


def _told_by(words: Words, num: Number, cue_at: set[int]) -> int | None:
    """The casualty word that follows the count at once ("and three others injured", "وأربعة آخرون
    أصيبوا"), whose count it is; None if none does."""
    if num.end - 1 > num.start and words.toks[num.end - 1] in _JOINERS:
        return None  # "killing one and injuring two": no noun, the next word is another act's
    toks = words.toks
    at = num.end + 1 if num.end < len(toks) and toks[num.end] in _AUXILIARIES else num.end
    if at in cue_at and not words.between(num.end - 1, num.end) and not words.between(at - 1, at) and \
            not (toks[at].startswith("و") and not toks[at].isascii()):  # "وأصيب": "and" starts another clause
        return at
    return None


def _after_contrast(words: Words, first: int, i: int, vocab: IncidentVocab) -> bool:
    """Whether a contrast word ("فيما", "بينما") stands between a count at token ``first`` and the casualty
    word at token ``i``."""
    return any(words.is_in(j, vocab.tokens["contrast"]) for j in range(first + 1, i))


def _names_listed(i: int, words: Words, vocab: IncidentVocab, cue_at: set[int]) -> int:
    """How many people an arrest names one by one after "كلاً من" ("أوقفت كلاً من محمد ...، وعلي ...، الملقب
    ...، ومحمد ..."): the first and each name after a comma that "و" opens; 0 when there is no such list."""
    toks = words.toks
    each_of = vocab.tokens["each_of"]
    at, size = next(((p, n) for p in range(i + 1, min(len(toks), i + _FAR))  # the subject may come first
                     if p not in cue_at and (n := words.phrase_at(p, each_of))), (0, 0))
    if not size or any(i < c < at for c in cue_at):
        return 0
    count = 1
    for k in range(at + size + 1, min(len(toks), at + _NAMES_WORDS)):  # past "كلاً من" and the first name
        if k in cue_at:
            break
        if "،" not in words.between(k - 1, k) and "," not in words.between(k - 1, k):
            continue
        if toks[k].startswith("و") and len(toks[k]) > 2 and not words.is_in(k, vocab.tokens["names_end"]):
            count += 1
        elif not words.is_in(k, vocab.tokens["nicknamed"]):
            break  # the list is over: "خلال مداهمات ..."
    return count if count > 1 else 0


def _share_after(i: int, numbers: list[Number], used: set[int], words: Words) -> int | None:
    """The count right after the casualty word at token ``i`` when it is a share of people named before
    ("أصيب اثنان منهم"), or None."""
    toks = words.toks
    for k, num in enumerate(numbers):
        if num.start == i + 1 and k not in used:
            noun_and_next = toks[num.end - 1:num.end + 1]  # "منهم" read as the count's noun, or right after it
            return k if not _OF_THEM.isdisjoint(noun_and_next) else None
    return None


def _counts_a_cue(words: Words, num: Number, cue_at: set[int]) -> bool:
    """Whether the count's noun is a casualty word of its own ("ثلاثة جرحى"), not "و" and another
    clause ("مقتل 5 وإصابة 10": the 5 are killed)."""
    noun = num.end - 1
    return noun > num.start and noun in cue_at and not words.toks[noun].startswith("و")


def _with_him(words: Words, i: int, vocab: IncidentVocab, numbers: list[Number], used: set[int],
              cue_at: set[int]) -> list[Number]:
    """The people named with the one a casualty word at token ``i`` is of ("مقتله مع شقيقه" = one more,
    "مع نجليه" = two; "مقتله ومرافقه" = one more, "مقتلها وإحدى رفيقاتها" = one, "مقتله واثنين من مرافقيه" =
    two), or nothing (not another casualty word: "مقتله وإصابة ...")."""
    toks = words.toks
    k = i + 1
    if k + 1 < len(toks) and toks[k] == "مع":
        named = _named_with(words, k + 1, vocab)
        if named:
            return named
    if k < len(toks) and k not in cue_at and conjoined(toks[k]) and not toks[k].isascii():
        counted = next((x for x, num in enumerate(numbers) if num.start == k and x not in used), None)
        if counted is not None:
            return _joined(counted, numbers, used, words, cue_at, vocab, i)
        if words.is_in(k, vocab.duals):
            return [Number(2, k, k + 1, "implied")]
        if words.is_in(k, vocab.tokens["person"]):
            return [Number(1, k, k + 1, "implied")]
    return []


def _companion(words: Words, after: int, vocab: IncidentVocab) -> list[Number]:
    """The one person named with a single one counted ("تاجر ذهب مع طفله", "مطلوب مع شقيقه"; "مع نجليه" two),
    a word of his between at most; nothing when they are more ("مع أصدقائه")."""
    toks = words.toks
    for k in range(after, min(after + _COMPANION_GAP + 1, len(toks) - 1)):
        if toks[k] == "مع":
            return _named_with(words, k + 1, vocab)
    return []


def _named_with(words: Words, k: int, vocab: IncidentVocab) -> list[Number]:
    """The people the word at token ``k`` after "مع" names: two for a dual ("نجليه"), one for a person, his
    possessive on it or not ("شقيقه", "طفل"); nothing for more ("أصدقائه")."""
    if words.is_in(k, vocab.duals):
        return [Number(2, k, k + 1, "implied")]
    kin = words.toks[k]
    bare = kin[:-2] if kin.endswith("ها") else kin[:-1] if kin.endswith("ه") else ""
    if words.is_in(k, vocab.tokens["person"]) or (bare and bare in vocab.tokens["person"]):
        return [Number(1, k, k + 1, "implied")]
    return []


def _his_life(words: Words, i: int) -> bool:
    """Whether the casualty word at token ``i`` took the life of one named before ("أودى بحياته")."""
    return words.toks[i + 1:i + 2] in (["بحياته"], ["بحياتها"])


def _one_before(words: Words, i: int, vocab: IncidentVocab, numbers: list[Number]) -> bool:
    """Whether a person in the accusative stands right before the casualty verb at token ``i``, its
    subject ("إن عنصراً قتل وأصيب اثنان": one killed), or before the person's name ("مدنياً يدعى سامر قتل");
    not a count's noun ("27 شخصاً وإصابة")."""
    if i and not words.toks[i].startswith("و") and words.is_in(i - 1, _THE_OTHER):
        return True  # "والآخر أصيب بجروح": the other one
    if i > 1 and words.toks[i - 1].endswith(_NISBA_ONE) and words.is_in(i - 2, vocab.tokens["person"]) and \
            not words.toks[i - 2].startswith("ال") and not words.toks[i].startswith("و") and \
            not any(n.start < i <= n.end for n in numbers):
        return True  # a person named first, an adjective between: "ناشطة مدنية اغتيلت" (not "الشاب سامي")
    if words.toks[i].startswith("و"):
        return False
    for k in range(i - 2, max(0, i - 2 - _NAME_WORDS), -1):
        if words.toks[k] in _NAMED_AS:  # "إن مدنياً يدعى سامر خليل قتل برصاص مجهولين"
            return _accusative_person(words, k - 1, vocab, numbers)
    return _accusative_person(words, i - 1, vocab, numbers)


def _accusative_person(words: Words, p: int, vocab: IncidentVocab, numbers: list[Number]) -> bool:
    """Whether token ``p`` is a person in the accusative ("عنصراً"), not a count's noun."""
    tok = words.toks[p] if p >= 0 else ""
    return tok.endswith("ا") and not tok.endswith(("ها", "هما")) and not tok.isascii() and \
        words.is_in(p, vocab.tokens["person"]) and not any(n.start <= p < n.end for n in numbers)


def _one_by_itself(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether the casualty word at token ``i`` is one person with no number ("سقوط قتيل", "وجريح"),
    not "the martyr" ("الشهيد") of a name nor a share of a count ("21 عنصراً بين قتيل وجريح")."""
    tok = words.toks[i]
    one = vocab.tokens["casualty_one"]
    return (tok in one or (tok.startswith("و") and tok[1:] in one)) and not (i and words.toks[i - 1] == "بين")


def _addition_before(words: Words, start: int, low: int, vocab: IncidentVocab) -> bool:
    """Whether an `addition` phrase ends right before token ``start`` (not before token ``low``), or the
    number carries "و" ("وخمسة آخرين")."""
    tok = words.toks[start]
    if tok.startswith("و") and len(tok) > 1 and not tok.isascii():
        return True
    return any(words.phrase_at(p, vocab.tokens["addition"]) == start - p for p in range(max(low, start - 3), start))


def _singles(words: Words, j: int, vocab: IncidentVocab, numbers: list[Number], used: set[int],
             cue_at: set[int], hit: int) -> list[Number]:
    """A person alone is one, and each person or count joined to it ("استشهاد آمر فوج ومقاتل" = 2,
    "مقتل ضابط وجنديين" = 3, "مقتل ضابط وأربعة جنود" = 5), also past the first person's own words
    ("قيادية في حزب العمال الكردستاني ومرافقها" = 2, "مسؤول محلي وسائقه" = 2)."""
    out = [Number(1, j, j + 1, "implied")]
    k = j + 1
    while k < min(len(words.toks), j + 3 if len(out) > 1 else j + _COMPANION_WORDS) and k not in cue_at:
        tok = words.toks[k]
        if conjoined(tok):
            counted = next((x for x, num in enumerate(numbers) if num.start == k and x not in used), None)
            if counted is not None:
                return out + _joined(counted, numbers, used, words, cue_at, vocab, hit)
            if words.is_in(k, vocab.tokens["person"]) and (k <= j + 2 or tok.endswith(_HIS)):
                out.append(Number(1, k, k + 1, "implied"))  # past the person's words, only one of his ("ومرافقها")
                j = k
            elif k > j + 2:
                break  # "و" opens another phrase: the person's own words are over ("..., والآخر أصيب")
        elif k > j + 2 and any(num.start == k for num in numbers):
            break
        k += 1
    return out


def _list_start(k: int, numbers: list[Number], used: set[int], words: Words, cue_at: set[int]) -> int:
    """The first count of the list that count ``k`` ends ("ضابطاً وأربعة جنود قتلوا": the officer)."""
    while k > 0 and k - 1 not in used and _joins(numbers[k - 1], numbers[k], words, cue_at):
        k -= 1
    return k


def _joined(k: int, numbers: list[Number], used: set[int], words: Words, cue_at: set[int],
            vocab: IncidentVocab, hit: int) -> list[Number]:
    """Count ``k`` and the counts listed after it ("ضابطاً وأربعة جنود"), with a single person
    joined at the end ("سبعة أشخاص سوريين وفلسطينياً"), for the casualty word at token ``hit``
    (a count another casualty word follows at once is that word's: "two killed and three others
    injured")."""
    group = [numbers[k]]
    used.add(k)
    while k + 1 < len(numbers) and k + 1 not in used and _joins(numbers[k], numbers[k + 1], words, cue_at) \
            and _told_by(words, numbers[k + 1], cue_at) in (None, hit):
        k += 1
        group.append(numbers[k])
        used.add(k)
    one = _joined_single(group[-1], numbers, words, vocab, cue_at)
    if one is not None:
        group.append(one)
    return group


def _joined_single(last: Number, numbers: list[Number], words: Words, vocab: IncidentVocab,
                   cue_at: set[int]) -> Number | None:
    """One person joined by "و" right after a count (past an adjective of origin): "وفلسطينياً" in
    "سبعة أشخاص سوريين، وفلسطينياً", "وضابط" in "ثلاثة جنود وضابط"."""
    toks = words.toks
    k = last.end
    if k < len(toks) and k not in cue_at and toks[k].endswith(_NISBA_PLURAL):
        k += 1
    if k >= len(toks) or k in cue_at or len(toks[k]) < 3 or toks[k][0] != "و" or \
            any(num.start == k for num in numbers):
        return None
    rest = toks[k][1:]
    if words.is_in(k, vocab.tokens["person"]) or (rest.endswith("يا") and len(rest) >= 5):
        return Number(1, k, k + 1)
    return None


def _joins(a: Number, b: Number, words: Words, cue_at: set[int]) -> bool:
    """Whether count ``b`` follows ``a`` as one list: "ضابطاً وأربعة", "four ..., two", "X و Y";
    not across a casualty word ("12 قتيلاً و30 جريحاً", "killing four and wounding two")."""
    gap = b.start - a.end
    if gap > 2 or any(a.end <= c < b.end for c in cue_at):
        return False
    toks = words.toks
    if gap == 0 and conjoined(toks[b.start]) and len(toks[b.start]) > 1:
        return True  # "ضابطاً وأربعة"
    before = toks[b.start - 1]
    # "four officials, two members", "12 لبنانياً وسوريين اثنين", "X and Y"
    return before in _JOINERS or (gap > 0 and before.startswith("و") and len(before) > 2) or \
        words.between(b.start - 1, b.start) in _JOINERS
