"""Finding taxonomy terms in an article: one Aho-Corasick automaton per taxonomy.

The automaton is built once, over the keys of every topic term and every
organisation form (see `marsad.streams.classify.terms`), and runs over the
article's matching form with quote marks taken out, so one pass finds every
candidate. A candidate becomes a match only when it stands on word
boundaries:

- on the left, the word may carry an Arabic clitic prefix (و ف ب ل ك ال وال
  بال لل ..., the chains of `marsad.streams.text.tokens`), so "وبالكبتاغون" and
  "للمخدرات" match while "مقسد" does not match "قسد";
- on the right, the word may carry one of the taxonomy's attached suffixes
  (plural, nisba and pronoun endings such as ات ين ون ية ها) unless the term
  is marked ``exact`` or its last word is a short Arabic word (under four
  letters, where و + زار + ة would read "وزارة"). Inflections that change the
  stem (غارة/غارات) are listed as their own terms instead;
- a term's context words, when it has any, must (or must not) stand right
  before or after it, with no sentence punctuation in between.

Keys are single-spaced, so a multi-word term never matches across a comma,
a full stop or a line break. Overlapping matches are resolved per *group*
(each topic, and all organisations together), leftmost then longest first:
"حزب الله العراقي" is one mention of kataib_hezbollah, not also one of
hezbollah, while the same words may still count for a topic.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from marsad.streams.classify.terms import QUOTES, Context, Term, is_arabic, unquote
from marsad.streams.text.automaton import Automaton, one_byte, remember, word_marks
from marsad.streams.text.tokens import MIN_STEM, PREFIXES

ORGS = "@orgs"  # the overlap group of organisation forms; topic ids cannot start with "@"
_ARTICLE = "ال"
_CONTRACTED_ARTICLE = "لل"  # ل + ال, written without the alef
_MAX_PREFIX = max(map(len, PREFIXES))
# The last letters of the clitic chains: a term glued to any other letter is inside a longer word.
_PREFIX_ENDS = frozenset(p[-1] for p in PREFIXES)
_QUOTE_BYTES = "".join(QUOTES).encode("ascii")  # quote marks as the engine codes them (ASCII: as themselves)
_BARRIER = frozenset(".!?؟;؛:،,()[]{}\n")  # punctuation across which words are not neighbours
_MAX_GAP = 8  # separator characters looked through for a neighbouring word
# Where a key's entries sit in its automaton value:
# (length, arabic, endings, topic entries, org entries, both, first letters of the endings)
_TOPIC_ENTRIES, _ORG_ENTRIES, _ALL_ENTRIES = 3, 4, 5


@dataclass(frozen=True, slots=True)
class Entry:
    """What a key means: evidence for a topic, or a form of an organisation."""

    group: str  # overlap group: the topic id, or ORGS
    id: str  # topic or organisation id
    term: Term
    weight: float  # evidence weight for a topic, 0.0 for an organisation form


class Match(NamedTuple):
    """One accepted match; offsets index the normalised text that was searched."""

    entry: Entry
    start: int  # where the term starts, after any clitic prefix
    end: int  # where the term ends, before any suffix
    word_start: int  # start of the first word, prefix included
    word_end: int  # end of the last word, suffix included
    name_start: int  # start of the name as a reader would cite it (keeps a written article)
    article_dropped: bool  # the term's article is not written (contracted in لل)


# Match(...) runs the namedtuple's __new__, a Python function; tuple.__new__ builds the same
# object in C (matches are made for every hit of every article).
_new_match = tuple.__new__


class Matcher:
    """The compiled automaton of a taxonomy; immutable and shared by every article."""

    def __init__(self, entries: Iterable[Entry], suffixes: dict[str, frozenset[str]]) -> None:
        by_key: dict[str, tuple[list[Entry], list[Entry]]] = {}
        for entry in entries:
            topic_entries, org_entries = by_key.setdefault(entry.term.key, ([], []))
            (org_entries if entry.group == ORGS else topic_entries).append(entry)
        self._max_suffix = max((len(s) for endings in suffixes.values() for s in endings), default=0)
        values = []
        for key, (topic_entries, org_entries) in by_key.items():
            arabic = is_arabic(key)
            endings = suffixes.get("arabic" if is_arabic(key[-1]) else "latin", frozenset())
            values.append((key, (len(key), arabic, endings, tuple(topic_entries), tuple(org_entries),
                                 tuple(topic_entries + org_entries), frozenset(s[0] for s in endings if s))))
        self._automaton = Automaton(values)
        self._empty = not by_key

    def find(self, norm: str, *, orgs: bool) -> list[Match]:
        """Matches of organisation forms (``orgs=True``) or of topic evidence in ``norm``."""
        topic_matches, org_matches = self.scan(norm, topics=not orgs, orgs=orgs)
        return org_matches if orgs else topic_matches

    def scan(self, norm: str, *, topics: bool = True, orgs: bool = True) -> tuple[list[Match], list[Match]]:
        """Topic evidence and organisation matches in ``norm``, in one pass, each in text order."""
        if self._empty or not norm or not (topics or orgs):
            return [], []
        view, shifts = _unquoted(norm)
        which = _ALL_ENTRIES if topics and orgs else _ORG_ENTRIES if orgs else _TOPIC_ENTRIES
        candidates = self._candidates(view, which)
        if not candidates:
            return [], []
        return _to_matches(_resolve(candidates), shifts)

    def _candidates(self, view: str, which: int) -> list[_Candidate]:
        """Hits that stand on word boundaries and in their context; positions index ``view``.

        ``which`` picks the entries of a key (_TOPIC_ENTRIES, _ORG_ENTRIES or _ALL_ENTRIES).
        This loop runs for every hit of every article, so it stays flat.
        """
        size = len(view)
        max_suffix = self._max_suffix
        out: list[_Candidate] = []
        hits, values = self._automaton.scan(view)
        marks = word_marks(view)  # marks[i]: view[i].isalnum()
        for key, start, end in hits:
            value: Any = values[key]  # (_TOPIC_ENTRIES ..., arabic, endings, ...): indexed by `which`
            entries = value[which]
            if not entries:
                continue
            arabic, endings = value[1], value[2]
            word_start = start
            prefix = ""
            if start and marks[start - 1]:
                if not arabic or view[start - 1] not in _PREFIX_ENDS:
                    continue  # no clitic chain ends with that letter: inside a longer word (no walk needed)
                while word_start > 0 and marks[word_start - 1] and start - word_start <= _MAX_PREFIX:
                    word_start -= 1
                prefix = view[word_start:start]
                if not arabic or prefix not in PREFIXES:
                    continue
            word_end = end
            suffix = ""
            if end < size and marks[end]:
                if view[end] not in value[6]:
                    continue  # no ending starts with that letter
                while word_end < size and marks[word_end] and word_end - end <= max_suffix:
                    word_end += 1
                suffix = view[end:word_end]
                if suffix not in endings:
                    continue
            for entry in entries:
                term = entry.term
                if suffix and not term.suffixes:
                    continue
                context = term.context
                if context is not None and not _context_holds(context, view, marks, word_start, word_end):
                    continue
                out.append((entry.group, start, -end, -entry.weight, len(out),
                            entry, end, word_start, word_end, prefix))
        return out


# A hit that passed the boundary and context checks, positions in the unquoted view:
# (group, start, -end, -weight, serial, entry, end, word_start, word_end, prefix).
# A plain tuple, one per hit, that sorts into resolution order by itself (the serial
# number settles ties before the entries would be compared).
_Candidate = tuple[str, int, int, float, int, Entry, int, int, int, str]


def _unquoted(norm: str) -> tuple[str, list[int]]:
    """``norm`` without quote marks, and where in that view each removed quote stood.

    A view position ``p`` is ``p + bisect_right(shifts, p)`` in ``norm``.
    """
    removed = []
    for q in QUOTES:
        i = norm.find(q)
        while i >= 0:
            removed.append(i)
            i = norm.find(q, i + 1)
    if not removed:
        return norm, []
    removed.sort()
    view = unquote(norm)
    coded = one_byte(norm)  # the view's code is the text's without the quote marks (one byte each)
    if coded is not None:
        remember(view, coded.translate(None, _QUOTE_BYTES))
    return view, [r - k for k, r in enumerate(removed)]


def _to_matches(kept: list[_Candidate], shifts: list[int]) -> tuple[list[Match], list[Match]]:
    """The kept candidates as topic evidence and organisation matches, with their offsets moved from
    the unquoted view back to the normalised text (one loop here, not a call for each match)."""
    topic_matches: list[Match] = []
    org_matches: list[Match] = []
    for group, start, _, _, _, entry, end, word_start, word_end, prefix in kept:
        article = entry.term.article
        name_start = start - len(_ARTICLE) if article and prefix.endswith(_ARTICLE) else start
        if shifts:
            before = bisect_right(shifts, word_start)
            if before == bisect_right(shifts, word_end - 1):  # no quote inside: one shift for all
                start, end, word_start, word_end, name_start = (
                    start + before, end + before, word_start + before, word_end + before, name_start + before)
            else:  # an end offset moves with the character before it
                start += bisect_right(shifts, start)
                name_start += bisect_right(shifts, name_start)
                word_start += before
                end += bisect_right(shifts, end - 1)
                word_end += bisect_right(shifts, word_end - 1)
        (org_matches if group == ORGS else topic_matches).append(_new_match(Match, (
            entry, start, end, word_start, word_end, name_start, article and prefix.endswith(_CONTRACTED_ARTICLE))))
    return topic_matches, org_matches


def _word_before(view: str, marks: bytes, i: int) -> str | None:
    """The word ending before position ``i``, unless sentence punctuation comes between (``marks``:
    `word_marks` of ``view``)."""
    j = i
    while j > 0 and not marks[j - 1]:
        j -= 1
        if view[j] in _BARRIER or i - j > _MAX_GAP:
            return None
    k = j
    while k > 0 and marks[k - 1]:
        k -= 1
    return view[k:j] or None


def _word_after(view: str, marks: bytes, i: int) -> str | None:
    """The word starting after position ``i``, unless sentence punctuation comes between (``marks``:
    `word_marks` of ``view``)."""
    size = len(view)
    j = i
    while j < size and not marks[j]:
        if view[j] in _BARRIER or j - i > _MAX_GAP:
            return None
        j += 1
    k = j
    while k < size and marks[k]:
        k += 1
    return view[j:k] or None


def _near(word: str | None, wanted: frozenset[str]) -> bool:
    """Whether ``word``, or a reading of it without a clitic prefix, is one of ``wanted``.

    The readings are those of `marsad.streams.text.tokens.stems`, taken in place without
    building the list (this runs for every match of a term with context words).
    """
    if word is None or not wanted:
        return False
    if word in wanted:
        return True
    for k in range(1, min(_MAX_PREFIX, len(word) - MIN_STEM) + 1):
        prefix, rest = word[:k], word[k:]
        if prefix in PREFIXES and (rest in wanted or (prefix.endswith(("ال", "لل")) and _ARTICLE + rest in wanted)):
            return True
    return False


def _context_holds(ctx: Context, view: str, marks: bytes, word_start: int, word_end: int) -> bool:
    before = _word_before(view, marks, word_start) if ctx.preceded_by or ctx.not_preceded_by else None
    after = _word_after(view, marks, word_end) if ctx.followed_by or ctx.not_followed_by else None
    if ctx.preceded_by and not _near(before, ctx.preceded_by):
        return False
    if ctx.followed_by and not _near(after, ctx.followed_by):
        return False
    return not (_near(before, ctx.not_preceded_by) or _near(after, ctx.not_followed_by))


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Per overlap group, keep leftmost-longest non-overlapping candidates; result in text order."""
    candidates.sort()
    kept: list[_Candidate] = []
    group, reach = None, -1
    for c in candidates:
        if c[0] != group:
            group, reach = c[0], -1
        if c[1] >= reach:
            kept.append(c)
            reach = c[6]
    kept.sort(key=_START)
    return kept


_START = itemgetter(1)  # a candidate's start (a C key function: this sort runs for every article)
