"""Who carried an incident out (actors) and whom it targeted (targets), as organisation ids.

Organisations are those the earlier stage found in the article (the
taxonomy's forms, found again in the evidence sentence). A word just before
a mention tells its role (vocabulary cues): "بهجوم لـ", "نفذه", "by" make an
actor; "ضد", "استهدف", "عناصر من", "خلية لـ", "سيارة لـ", "against" make a
target (not a car bomb's owner: "سيارة مفخخة تابعة لـ"), as does a word after
it ("ISIS suspects", "SDF fighters"). The subject of the act is its actor,
before the verb ("عناصر داعش هاجموا") or after it ("هاجم عناصر داعش"), unless
the verb says it suffered the act ("قطعات الحشد تعرضت لهجوم"), or it died
("أن ثلاثة عناصر من قوات النظام قتلوا بانفجار"); a verb of doing opening the
clause makes its subject the actor ("نصب عناصر من داعش كميناً"), members
counted the target ("عشرة من الدواعش"). A side's backer or an outlet's leaning
("الموالية للجيش الأمريكي", "المقربة من النظام"; in violence, "affiliated with") gives no role, nor does the one
another named before it belongs to ("كتائب سيد الشهداء التابعة لحزب الله"). A side named by
its aircraft or strikes ("غارات روسية", "Russian jets") struck. Who
tells of an attack or a strike is its source, not its doer ("وقالت قوى الأمن
الداخلي إن ...", "the SDF said", "والتحالف يؤكد"), unless it claims it ("أعلن داعش
مسؤوليته"); who tells of a raid or a seizure did it ("وذكر قائد عمليات الحشد أن قوة ... نفذت عملية"); who accuses is a source and whom it accuses the doer ("اتهمت قسد
تنظيم داعش بتنفيذ الهجوم"); a base or camp hosting a side's forces was hit
with them ("قاعدة عين الأسد ... وتضم قوات للتحالف"); an organisation inside another's name ("التحالف الدولي لمحاربة
داعش") has no role. Without a cue the type decides: the organisations of a
protest are whom it was against; in a clash both sides are actors
(incidents.md rule 5); otherwise an organisation named in the report is taken
as the one acting.
"""

from __future__ import annotations

from marsad.streams.extract.incidents.sentences import Words
from marsad.streams.extract.incidents.vocab import IncidentVocab

_LOOK_BACK = 4  # words before a mention searched for a cue
_GROUP_NOUNS = frozenset({"تنظيم", "ميليشيا", "ميليشيات", "مليشيا", "مليشيات"})  # "خلايا تنظيم داعش"
_AGAINST = frozenset({"ضد", "against"})  # the side a clash was started against (incidents.md rule 5)
_IN = frozenset({"في"})  # "قائد ... في الحشد": a member of it
_ON = frozenset({"علي", "وعلي"})
_ON_IDIOMS = frozenset({"الفور", "اثر", "الاقل", "خلفيه", "مدار", "مدي", "راس"})  # "وعلى الفور": no target
_MEMBER_WORDS = 5  # words between a person and "في" before the side he belongs to
_AGENT_WORDS = 3  # words between a noun of an act and its doer ("باستهداف خلايا تنظيم داعش")
_SUSPECTED = frozenset({"suspected", "blamed"})
_HIT = frozenset({"targeted", "attacked", "hit", "struck", "ambushed", "shelled", "wounded", "injured", "killed"})
_PASSIVE_WORDS = 5  # words between an English organisation and its passive verb ("US troops at Ain al-Asad were")
_TO_BE = frozenset({"is", "are", "was", "were", "widely"})  # (an abbreviation in brackets, "(IS)", reads as "is")
_TARGETING = frozenset({"استهدف", "استهدفت", "استهدفوا", "استهدفا"})  # the verb: its subject may follow it
_ORDINALS = frozenset({"الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر"})
_PARENT_GAP = 1  # words between an organisation and "التابعة" before the one it belongs to ("الكردية التابعة")
_MEMBER_NOUNS = 2  # the fighters' words between "من" and the side they belong to ("من مسلحي تنظيم داعش")
_COUNT_WORDS = 4  # words between a count and the "من" of whose members it counts ("70 إرهابياً على الأقل من")
_SHARE = frozenset({"بينهم", "بينهما", "منهم", "including", "among"})  # a share of the count: one of them
_SUFFERED_WORDS = 6  # words between an organisation and the verb saying it suffered the act ("تعرضت لهجوم")
_HOST_WORDS = 8  # words between a base and the verb saying it hosts a side's forces (its name, its kind between)
_SPEAKER_WORDS = 3  # words between a speech word and the organisation speaking ("مصدر عسكري في النظام")
_WHAT_WAS_SAID = frozenset({"ان", "بان", "انه", "بانه"})  # after a speech word, what it says begins
_OWNED_AFTER = {"arrest_raid", "seizure"}  # who is glued to ل after these is whose people or goods were taken
_DEFAULT_TARGET = {"protest"}
_NO_TARGETS = {"armed_clash"}
_VIOLENCE = {"attack", "airstrike"}
_STRIKING = frozenset({"غارات", "الغارات", "غاره", "الغاره", "airstrikes", "jets", "warplanes", "aircraft"})
_TOLD = {"attack", "airstrike", "kidnapping"}  # whose teller is a source, not the doer
# a trigger behind one is a noun ("بهجوم", "كالهجوم"), not the verb of a subject; "ك" only before "ال": the
# trigger "كمين" begins with it ("عناصر من داعش نصبوا كميناً")
_PREPOSITIONS = ("ب", "ل", "كال")
_PREPOSITION_WORDS = frozenset({"في", "خلال", "اثر", "جراء", "عقب", "بعد", "من", "علي", "in", "during", "after", "by",
                                "of"})  # ... or behind one of these ("مقاتلان من الحشد في هجوم")


def roles(words: Words, mentions: list[tuple[int, int, str]], kind: str, lead: int,
          vocab: IncidentVocab) -> tuple[list[str], list[str]]:
    """(actors, targets) of the incident of type ``kind`` told in the sentence of ``words``.

    ``mentions`` are the (start, end, id) of the organisations named in it (offsets in the
    matching form); ``lead`` is the token index of the trigger that gave the type.
    """
    actors: list[str] = []
    targets: list[str] = []
    sources: set[str] = set()  # told as the source: its other names there ("قوى الأمن الداخلي / الآسايش") too
    named_end = -1  # where the organisation named before ends (token index)
    for start, end, org in mentions:
        i = words.index_at(start)
        after = words.index_at(end)
        parent = _parent_named(words, named_end, i, vocab)
        named_end = after
        if org in actors or org in targets or org in sources or parent:
            continue  # (the side another one belongs to: "كتائب سيد الشهداء التابعة لحزب الله في العراق")
        role = _cue_role(words, i, after, kind, lead, vocab)
        if role == "target":
            targets.append(org)
        elif role == "actor":
            actors.append(org)
        elif i < lead:
            sources.add(org)
    return actors, targets


def _cue_role(words: Words, i: int, after: int, kind: str, lead: int, vocab: IncidentVocab) -> str:
    """"actor", "target", or "" for an organisation quoted as the source ("بحسب قيادي بالحشد")."""
    window = range(i - 1, max(-1, i - 1 - _LOOK_BACK), -1)  # nearest word first
    if any(words.is_in(j, vocab.tokens["source_before"]) for j in window):
        return ""
    if _leaning(words, i, vocab):
        return ""  # "صحيفة الوطن المقربة من النظام", "قسد الموالية للجيش الأمريكي": a leaning, no side
    if kind not in _OWNED_AFTER and any(j + n == i for j in range(max(0, i - 3), i)
                                        if (n := words.phrase_at(j, vocab.tokens["affiliated"]))):
        return ""  # "a militia affiliated with the IRGC fired rockets": the militia did it ("suspects linked to ISIS")
    if any(words.phrase_at(j, vocab.tokens["name_of_fight"]) for j in range(max(0, i - 2), i)):
        # "التحالف الدولي لمحاربة تنظيم داعش": a name; but whom a raid is "to counter" is its target ("حملة
        # لمواجهة نشاط داعش")
        return "target" if kind in _OWNED_AFTER else ""
    if kind in _VIOLENCE and any(words.toks[j] in _STRIKING or words.is_in(j, vocab.tokens["aircraft"])
                                 for j in range(i, after)):
        return "actor"  # its name is its aircraft or strikes ("غارات روسية", "الطيران الروسي", "Russian jets")
    accuse = next((j for j in window if words.is_in(j, vocab.tokens["accuse"])), None)
    if accuse is not None:  # "اتهمت قسد تنظيم داعش بتنفيذ الهجوم": the accuser tells, the accused did it
        return "" if accuse == i - 1 else "actor"
    if kind in _TOLD and _speaker(words, i, after, vocab):
        claims = range(after, min(after + _LOOK_BACK, len(words.toks)))
        return "actor" if any(words.is_in(j, vocab.tokens["claim_after"]) for j in claims) else ""
    if kind in _OWNED_AFTER and i < lead and _speaker(words, i, after, vocab):
        return "actor"  # "وذكر قائد عمليات الحشد الشعبي أن قوة ... نفذت عملية أمنية": a force tells its own raid
    if any(words.is_in(j, vocab.tokens["own_members"]) and j + 1 != lead
           for j in range(after, min(after + _LOOK_BACK, len(words.toks)))):
        return "target"  # "نعى الحشد الشعبي ثلاثة من عناصره": whose men were hit (not "مقاتليها هاجموا")
    if kind in _NO_TARGETS:  # both sides of a clash are actors, unless one is said to be fought ("against ISIS")
        return "target" if i and words.toks[i - 1] in _AGAINST else "actor"
    if words.toks[i].isascii() and _passive_after(words, after):
        return "target"  # "US troops at Ain al-Asad were targeted by two rockets"
    if any(words.phrase_at(j, vocab.tokens["actor_before"]) for j in window) or _suspected(words, after):
        return "actor"  # "هجوم نفذته خلايا داعش": the doer's word wins over the noun before the name; "ISIS is
        # suspected" of it
    if kind in _VIOLENCE and _hosted(words, i, vocab):
        return "target"  # "صواريخ على قاعدة عين الأسد التي تضم قوات للتحالف": the base hosts its forces
    if after < len(words.toks) and words.is_in(after, vocab.tokens["target_after"]):
        # "ISIS suspects", "SDF fighters"; but the subject of the act: "ISIS fighters attacked a checkpoint"
        return "actor" if lead == after + 1 and words.toks[lead].isascii() else "target"
    # "بهجوم لداعش": the organisation glued to ل right after the trigger did it; so do the fighters
    # glued to it ("هجوم إرهابي لعناصر داعش", "كمين لمسلحي التنظيم"), unless the trigger names a target
    if kind not in _OWNED_AFTER and lead < i <= lead + _LOOK_BACK and (
            (i == lead + 1 and words.toks[i].startswith("ل"))
            or _glued_subject_between(words, lead, i, vocab)):
        return "actor"
    if after <= lead and any(words.phrase_at(j, vocab.tokens["suffered"]) for j in range(after, min(lead + 1,
                                                                                             after + _SUFFERED_WORDS))):
        return "target"  # "قطعات الحشد الشعبي في أطراف داقوق تعرضت لهجوم": it suffered the act
    if lead in (after, after + 1) and lead < len(words.toks) and not words.toks[lead].startswith(_PREPOSITIONS) \
            and not (lead == after + 1 and words.toks[after] in _PREPOSITION_WORDS) \
            and not words.is_in(lead, vocab.tokens["blast"]):  # (a bomb that "exploded" has no doer as subject)
        # the subject of the act: "عناصر تنظيم داعش هاجموا", "ISIS militants attacked"; not "... في هجوم"; but
        # who died or was hurt suffered it: "أن ثلاثة عناصر من قوات النظام قتلوا بانفجار لغم"
        return "target" if _suffered_it(words, lead, vocab) else "actor"
    if (i == lead + 1 or (i == lead + 2 and words.is_in(lead + 1, vocab.tokens["subject_noun"]))) \
            and words.is_in(lead, vocab.tokens["subject_verb"]):
        return "actor"  # the verb first: "هاجم عناصر داعش قرية", "شنت خلايا داعش هجوما"
    if _agent_of_act(words, i, after, vocab):
        return "actor"  # "باستهداف خلايا تنظيم داعش لسيارتهم": the act's doer, its object glued to ل after it
    if _counted_members(words, i, vocab):
        return "target"  # "اعتقلت القوات عشرة من الدواعش", "قتل 70 إرهابياً من مسلحي داعش": its members, counted
    if _doer_before(words, i, vocab):
        return "actor"  # "نصب عناصر من تنظيم داعش كميناً": the verb's subject, its fighters between
    if any(words.is_in(j, vocab.tokens["target_before"]) and not _weapon(words, j + 1, vocab)
           and not _idiom_of_on(words, j) and not _subject_after(words, j, i, vocab) for j in window):
        # "سيارة لقسد" was hit, "كميناً استهدف قوة لقسد"; "السيارة المفخخة تابعة لداعش" was the weapon, and
        # "استهدف تنظيم داعش نقطة" names the verb's subject
        return "target"
    for j in window:
        if words.is_in(j, vocab.tokens["belonging"]):
            weapon = any(words.is_in(k, vocab.tokens["aircraft"]) or _weapon(words, k, vocab)
                         for k in range(max(0, j - _LOOK_BACK), j))
            return "actor" if weapon else "target"  # "قاذفات تابعة للنظام"; "طائرة تابعة للتحالف", "سيارة مفخخة تابعة لداعش"
    if i > 1 and words.toks[i - 1] in _IN and any(words.is_in(j, vocab.tokens["person"]) or
                                                  words.is_in(j, vocab.tokens["target_before"])
                                                  for j in range(max(0, i - 1 - _MEMBER_WORDS), i - 1)):
        return "target"  # a member of the side, his rank between: "معاون قائد اللواء الـ19 في الحشد الشعبي"
    if kind in _VIOLENCE and i > lead and words.toks[i].isascii():
        return "target"  # English puts the doer before the act: who comes after it was hit
    if i > lead and any(words.is_in(j, vocab.tokens["saying_between"]) for j in range(lead + 1, i)):
        return ""  # "... الهجوم وقع عصراً، مشيراً إلى أن التحالف يجري تقييماً": said after the act, no side of it
    if kind == "attack" and words.is_in(lead, vocab.tokens["blast"]):
        return "target"  # "قوة من الحشد ... انفجرت عبوة على عجلة تابعة للقوة": a bomb's news names whom it hit
    return "target" if kind in _DEFAULT_TARGET else "actor"


def _counted_members(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether the organisation at token ``i`` names whose members a number counts: "عشرة من الدواعش", "70
    إرهابياً على الأقل من مسلحي تنظيم داعش" (the fighters' words between "من" and it)."""
    j = i - 1
    while j >= 0 and i - j <= _MEMBER_NOUNS and (words.is_in(j, vocab.tokens["subject_noun"])
                                                 or words.toks[j] in _GROUP_NOUNS):
        j -= 1
    if j < 1 or words.toks[j] != "من":
        return False
    for k in range(j - 1, max(-1, j - 1 - _COUNT_WORDS), -1):
        if words.toks[k] in _SHARE:
            return False  # "قتل 6 أشخاص بينهم انتحاري من داعش": one of them was its man, not all
        if words.toks[k].isdigit() or words.toks[k] in vocab.numbers or words.is_in(k, _ORDINALS):
            return True  # (an ordinal counts the last of them: "5 من البيشمركة والسادس من الأسايش")
    return False


def _speaker(words: Words, i: int, after: int, vocab: IncidentVocab) -> bool:
    """Whether the organisation at tokens ``i``..``after`` tells the news: a speech word just before it in
    Arabic ("وقالت قوى الأمن الداخلي", "مصدر عسكري في النظام"), just after it in English ("the SDF said")."""
    speech = vocab.tokens["speaker_before"]
    if words.toks[i].isascii():
        return any(words.is_in(j, speech) for j in range(after, min(after + 2, len(words.toks))))
    if words.is_in(after, vocab.tokens["speaker_after"]):
        return True  # "والتحالف الدولي يؤكد وقوع الحادث"
    for j in range(i - 1, max(-1, i - 1 - _SPEAKER_WORDS), -1):
        if words.toks[j] in _WHAT_WAS_SAID:
            return False  # "قال مصدر إن قطعات الحشد ...": what was said, not who said it
        if words.is_in(j, speech):
            return True
    return False


def _suffered_it(words: Words, lead: int, vocab: IncidentVocab) -> bool:
    """Whether the verb at token ``lead`` tells its subject died or was hurt: a verb of dying or being hurt with
    no object after it (no number nor person: "قتلوا بانفجار", not "قتلوا ثلاثة رعاة")."""
    if not words.is_in(lead, vocab.tokens["casualty_verb"]):
        return False
    k = lead + 1
    return k >= len(words.toks) or not (words.toks[k].isdigit() or words.toks[k] in vocab.numbers
                                        or words.is_in(k, vocab.people_words))


def _agent_of_act(words: Words, i: int, after: int, vocab: IncidentVocab) -> bool:
    """Whether the organisation at tokens ``i``..``after`` follows a noun of an act (its fighters between) and
    comes before the act's object glued to ل ("باستهداف خلايا تنظيم داعش لسيارتهم"): it did the act."""
    toks = words.toks
    if after >= len(toks) or len(toks[after]) < 4 or not toks[after].startswith("ل") or toks[after].startswith("لل"):
        return False
    for j in range(i - 1, max(-1, i - 1 - _AGENT_WORDS), -1):
        if words.is_in(j, vocab.tokens["act_noun"]):
            return True
        if not words.is_in(j, vocab.tokens["subject_noun"]) and words.toks[j] not in _GROUP_NOUNS:
            return False
    return False


def _parent_named(words: Words, named_end: int, i: int, vocab: IncidentVocab) -> bool:
    """Whether the organisation at token ``i`` is named as the one another, named right before it, belongs to
    ("كتائب سيد الشهداء التابعة لحزب الله"): a description of that one, no side of the event."""
    return 0 <= named_end <= i - 1 <= named_end + _PARENT_GAP and words.is_in(i - 1, vocab.tokens["belonging"])


def _leaning(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether a word of leaning ends right before the organisation at token ``i``, or before its "من"."""
    for j in range(max(0, i - 3), i):
        n = words.phrase_at(j, vocab.tokens["leaning"])
        if n and (j + n == i or (j + n == i - 1 and words.toks[i - 1] == "من")):
            return True
    return False


def _doer_before(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether a verb of doing opens the clause of the organisation at token ``i``, only its fighters between
    ("نصب عناصر من تنظيم داعش كميناً", "شنت خلايا داعش هجوماً"): the organisation is the verb's subject."""
    for j in range(i - 1, max(-1, i - 1 - _LOOK_BACK), -1):
        if words.is_in(j, vocab.tokens["subject_verb"]):
            return j < i - 1  # (right after the verb the trigger rules decide: "هاجم عناصر داعش قرية")
        if words.toks[j] != "من" and not words.is_in(j, vocab.tokens["subject_noun"]) and \
                words.toks[j] not in _GROUP_NOUNS:
            return False
    return False


def _hosted(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether a verb of hosting stands a few words before the organisation at token ``i``, a base or camp a
    few words before that verb ("قاعدة عين الأسد الجوية ... وتضم قوات استشارية للتحالف"): its forces were
    where the act hit (not "قوة تضم عناصر من قسد", a force made of them)."""
    for j in range(i - 1, max(-1, i - 1 - _LOOK_BACK), -1):
        if words.phrase_at(j, vocab.tokens["host_verb"]):
            return any(words.is_in(k, vocab.tokens["host_place"]) for k in range(max(0, j - _HOST_WORDS), j))
    return False


def _idiom_of_on(words: Words, j: int) -> bool:
    """Whether token ``j`` is "على" of an idiom, not "against": "وعلى الفور" (at once), "على إثر", "على الأقل"."""
    return words.toks[j] in _ON and j + 1 < len(words.toks) and words.toks[j + 1] in _ON_IDIOMS


def _passive_after(words: Words, after: int) -> bool:
    """Whether an English organisation ending before token ``after`` is the subject of a passive verb of being hit
    a few words on ("US troops at Ain al-Asad were targeted"): it suffered the act."""
    toks = words.toks
    for k in range(after, min(after + _PASSIVE_WORDS, len(toks) - 1)):
        if toks[k] in _TO_BE:
            return toks[k + 1] in _HIT or (toks[k + 1] == "been" and k + 2 < len(toks) and toks[k + 2] in _HIT)
    return False


def _suspected(words: Words, after: int) -> bool:
    """Whether the organisation ending before token ``after`` is said to be suspected or blamed ("the Islamic
    State (IS) is suspected", "ISIS was blamed"): the doer."""
    for k in range(after, min(after + 3, len(words.toks))):
        if words.toks[k] in _SUSPECTED:
            return True
        if words.toks[k] not in _TO_BE:
            return False
    return False


def _subject_after(words: Words, j: int, i: int, vocab: IncidentVocab) -> bool:
    """Whether token ``j`` is a verb of targeting whose subject is the organisation at token ``i``, only its
    fighters', group's or aircraft's words between ("استهدف تنظيم داعش نقطة", "استهدفت عناصر داعش", "استهدفت
    طائرة مسيرة تابعة للتحالف")."""
    return words.is_in(j, _TARGETING) and all(
        words.toks[k] in _GROUP_NOUNS or words.is_in(k, vocab.tokens["subject_noun"])
        or words.is_in(k, vocab.tokens["aircraft"]) or words.is_in(k, vocab.tokens["belonging"]) for k in range(j + 1, i))


def _weapon(words: Words, j: int, vocab: IncidentVocab) -> bool:
    """Whether token ``j`` makes the word before it a weapon ("سيارة مفخخة"), not what was hit."""
    return j < len(words.toks) and words.is_in(j, vocab.tokens["weapon_after"])


def _glued_subject_between(words: Words, lead: int, i: int, vocab: IncidentVocab) -> bool:
    """Whether fighters glued to ل ("لعناصر", "لمسلحي") stand between the trigger at ``lead`` and the
    organisation at ``i``, and no word naming a target does ("هجوم على حاجز لقوات قسد": the checkpoint's)."""
    glued = False
    targets = vocab.tokens["target_before"]
    for j in range(lead, i):
        tok = words.toks[j]
        if j > lead and len(tok) > 3 and tok[0] == "ل" and (tok[1:] in vocab.tokens["subject_noun"]
                                                             or tok[1:] in _GROUP_NOUNS):
            glued = True  # "هجوم لعناصر داعش", "هجوم لتنظيم داعش"
        elif words.is_in(j, targets):
            return False
    return glued
