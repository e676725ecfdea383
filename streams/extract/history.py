"""Whether a quantity is reported as history rather than as the news of the day.

Articles recall earlier seizures for context: "ضبطت القوات العام الماضي 5
ملايين حبة", "منذ بداية العام صودر ...", "In March 2023, police seized ...".
Such a quantity is still a fact of the article, but a ledger of seizures must
not count it as today's. The sentence around the quantity decides: it is
history when it holds one of the history phrases of quantities.yaml
(``history``), or a year earlier than the article's publication ("في عام
2023", "in March 2023"; only when the publication day is known).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from marsad.streams.text.automaton import Automaton
from marsad.streams.text.normalize import normalize

_STOPS = ".!?؟\n"
_REACH = 300  # a sentence reaches no further than this either side of a quantity
# A year after a word that places an event in it: "في 2023", "عام 2023", "في آذار 2023", "in March 2023".
# Not after "منذ"/"since", which compares with the past ("أكبر كمية منذ عام 2019").
_YEAR = re.compile(r"(?<!منذ )(?<!since )(?:\bفي|\bخلال|\bعام|\bالعام|\bin|\bduring)\s+(?:[^\s\d]+\s+){0,2}"
                   r"((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class HistoryMarkers:
    """The history phrases in matching form, in an automaton (one pass over a sentence, in C)."""

    automaton: Automaton[None] | None

    @classmethod
    def of(cls, phrases: Iterable[str]) -> HistoryMarkers:
        forms = {" ".join(normalize(p).split()) for p in phrases} - {""}
        if not forms:
            return cls(None)
        return cls(Automaton((form, None) for form in sorted(forms)))

    def search(self, text: str) -> bool:
        """Whether one of the phrases stands in ``text`` as whole words."""
        if self.automaton is None:
            return False
        n = len(text)
        for _, start, end in self.automaton.scan(text)[0]:
            if (not start or not text[start - 1].isalnum()) and (end == n or not text[end].isalnum()):
                return True
        return False


def sentence_around(norm: str, start: int, end: int) -> str:
    """The sentence of ``norm`` that holds norm[start:end] (stops: . ! ? ؟ and line breaks), at most
    `_REACH` characters either side of it."""
    lo, hi = max(0, start - _REACH), min(len(norm), end + _REACH)
    for c in _STOPS:
        i = norm.rfind(c, lo, start)
        if i >= 0:
            lo = i + 1
        i = norm.find(c, end, hi)
        if i >= 0:
            hi = i
    return norm[lo:hi]


def is_historical(norm: str, start: int, end: int, markers: HistoryMarkers, published: date | None = None) -> bool:
    """Whether the quantity at norm[start:end] is reported as a past event (see the module docstring)."""
    sentence = sentence_around(norm, start, end)
    if markers.search(sentence):
        return True
    if published is not None:
        return any(int(m.group(1)) < published.year for m in _YEAR.finditer(sentence))
    return False
