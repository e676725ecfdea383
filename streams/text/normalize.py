"""Arabic normalisation for matching.

The displayed text keeps its spelling; this module derives a *matching form*
in which the usual spelling variants of Arabic news text collapse together:

- diacritics (harakat, tanwin, shadda, sukun, superscript alef) and tatweel removed;
- hamza carriers unified: أ إ آ ٱ -> ا, ؤ -> و, ئ -> ي;
- ى -> ي and ة -> ه (the two most common final-letter variants);
- Persian/Urdu letters that appear in copy-pasted text: ی -> ي, ک -> ك, ۀ -> ه;
- Arabic-Indic and Eastern Arabic-Indic digits -> ASCII digits, the Arabic
  decimal separator ٫ -> "." and thousands separator ٬ -> ",";
- typographic quotes -> '"', Latin letters lower-cased;
- the underscore -> a space: hashtags join words with it ("#الحشد_الشعبي",
  "#دير_الزور"), and a name is to be found in them as in a sentence;
- Arabic presentation forms (FB50-FDFF, FE70-FEFF) folded by NFKC first.

`normalize` maps each character on its own (plus NFKC only when presentation
forms are present), so it is cheap enough to run on every article: a text of
the usual characters is folded as bytes (`fold_with_code`), which also gives
the matchers' engine its code of the matching form; any other text through
``str`` methods (`fold_chars`), with the same result.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right

from marsad.streams.text.automaton import ONE_BYTE

_DROP = [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"]  # harakat .. sukun, alef khanjariya, tatweel
_DROP += [chr(c) for c in range(0x06D6, 0x06EE)]  # Quranic annotation marks
_DROP += ["\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"]  # joiners, direction marks, BOM

_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ؤ": "و", "ئ": "ي",
    "ى": "ي", "ة": "ه",
    "ی": "ي", "ي": "ي", "ک": "ك", "ۀ": "ه", "ە": "ه",
    "٫": ".", "٬": ",", "،": "،",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "_": " ",
}
_MAP.update({chr(0x0660 + i): str(i) for i in range(10)})  # ٠..٩
_MAP.update({chr(0x06F0 + i): str(i) for i in range(10)})  # ۰..۹

_TABLE = str.maketrans({**{c: None for c in _DROP}, **_MAP})
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# A quick first test on UTF-8 bytes (scanning bytes is several times faster than
# scanning Arabic str): lead bytes of U+FB40..U+FDFF and U+FE40..U+FEFF.
_PRESENTATION_UTF8 = re.compile(b"\xef[\xad-\xb7\xb9-\xbb]")
# The same mapping as _TABLE, as (character, replacement) pairs. For Arabic text,
# str.translate looks up every character in a dict; a str.replace per character that
# actually occurs is several times faster. No replacement contains a replaced
# character, so the order of the pairs does not matter and the result is translate's.
_REPLACEMENTS = tuple((c, "" if v is None else v) for c, v in ((chr(k), v) for k, v in _TABLE.items())
                      if c != v)
assert not any(c in r for _, r in _REPLACEMENTS for c, _ in _REPLACEMENTS), "replacements must not chain"
_SHORT = 40  # characters up to which `fold_chars` translates (~50 ns a character) rather than loops (~3 µs)
_DROPS = tuple(dict.fromkeys(_DROP))  # the characters `normalize` drops, each once

# The characters of nearly every article, each coded in one byte, for `fold_with_code`: ASCII, the
# Arabic letters, marks and digits, the Persian letters of copy-pasted text and their digits, typographic
# quotes, spaces and joiners, common punctuation and signs, lower-case accented Latin. None of them is a
# presentation form (NFKC has nothing to fold) and each folds to nothing or to one character that the
# matchers' engine codes in one byte (`ONE_BYTE`), so folding a text of these characters is a byte
# translation whose result is the engine's code of the matching form.
_FOLD_IN = ("".join(map(chr, range(0x80))) + "\u060c\u061b\u061c\u061f" + "".join(map(chr, range(0x0621, 0x063B)))
            + "".join(map(chr, range(0x0640, 0x066D))) + "\u0670\u0671" + "پچژکگیۀە"
            + "".join(map(chr, range(0x06F0, 0x06FA))) + "“”„«»‘’" + "\u00a0\u2009\u202f"
            + "\u200c\u200d\u200e\u200f\ufeff" + "–—…•·°×€£©" + "éèàçöüáí")
assert len(_FOLD_IN) == 256 and len(set(_FOLD_IN)) == 256
_FOLD_MAP = codecs.charmap_build(_FOLD_IN)
_FOLDED = [c.translate(_TABLE).lower() for c in _FOLD_IN]  # what `fold_chars` makes of each
assert all(f == "" or (len(f) == 1 and f in ONE_BYTE) for f in _FOLDED), "a fold must be coded by the engine"
_FOLD_BYTES = bytes(ONE_BYTE.index(f) if f else 0 for f in _FOLDED)  # to the engine's code
_FOLD_DROPS = bytes(i for i, f in enumerate(_FOLDED) if not f)
_DECODE = ONE_BYTE + "\ufffe"  # byte 0xFF codes no character (no fold gives it)
# For `fold_words`: what each character of the table folds to when that is a word character (`str.isalnum`),
# a space otherwise (ONE_BYTE codes ASCII as itself).
_WORD_BYTES = bytes(ONE_BYTE.index(f) if f.isalnum() else ord(" ") for f in _FOLDED)
# The codes of the table's characters that are not printable, the line break aside (see `_is_squashed`).
_LINE_AS_SPACE = bytes.maketrans(b"\n", b" ")
_UNPRINTABLE = bytes(i for i, c in enumerate(_FOLD_IN) if not c.isprintable() and c != "\n")

# Only the mapping of digits and separators, for the displayed text: numbers become
# machine-readable while the letters keep their spelling.
_DIGITS_TABLE = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                               **{chr(0x06F0 + i): str(i) for i in range(10)},
                               "٫": ".", "٬": ","})


def needs_nfkc(text: str) -> bool:
    """Whether `normalize` folds ``text`` by NFKC (it has Arabic presentation forms).

    Without NFKC, `normalize` maps each character on its own, so the matching
    form of lines joined by line breaks is their matching forms joined.
    """
    return bool(_PRESENTATION_UTF8.search(text.encode("utf-8", "surrogatepass")) and _PRESENTATION.search(text))


def normalize(text: str) -> str:
    """Return the matching form of ``text`` (see the module docstring)."""
    if len(text) > _SHORT:
        folded = fold_with_code(text)
        if folded is not None:
            return folded[0]
    if needs_nfkc(text):
        text = unicodedata.normalize("NFKC", text)
    return fold_chars(text)


def fold_with_code(text: str) -> tuple[str, bytes] | None:
    """``normalize(text)`` and its code for the matchers' engine (`marsad.streams.text.automaton.one_byte`),
    when every character of ``text`` is one of the fold table's (`_FOLD_IN`); else None.

    Such a text needs no NFKC (it has no presentation form), and its matching form is three passes in C:
    the text coded one byte a character, those bytes translated (dropped characters deleted, the rest
    mapped to the engine's code of what they fold to, lower case included), decoded. `fold_chars` instead
    searches the text once for each of some hundred characters and lower-cases it in a pass of its own.
    """
    coded = _fold_code(text)
    return _folded(coded) if coded is not None else None


def fold_words(text: str) -> str | None:
    """The words of ``normalize(text)`` (runs of characters `str.isalnum` accepts) joined by one space, when
    every character of ``text`` is one of the fold table's (`_FOLD_IN`); else None.

    A few passes in C on bytes, one a character: the text coded as for `fold_with_code`, each code
    translated to its fold when that is a word character and to a space otherwise (the dropped ones
    deleted), each run of spaces made one, decoded.
    """
    coded = _fold_code(text)
    if coded is None:
        return None
    spaced = coded.translate(_WORD_BYTES, _FOLD_DROPS)
    while b"  " in spaced:  # one or two passes: fewer steps than a regex or splitting into words
        spaced = spaced.replace(b"  ", b" ")
    return codecs.charmap_decode(spaced.strip(b" "), "strict", _DECODE)[0]


def squash_and_fold(text: str) -> tuple[str, tuple[str, bytes] | None]:
    """``(squash_spaces(text), fold_with_code(squash_spaces(text)))``: a text already squashed (the usual
    case) is coded once, for the test and for the fold."""
    coded = _fold_code(text)
    if coded is not None and _is_squashed_code(coded):
        return text, _folded(coded)
    joined = squash_spaces(text)
    return joined, fold_with_code(joined)


def _fold_code(text: str) -> bytes | None:
    try:
        return codecs.charmap_encode(text, "strict", _FOLD_MAP)[0]
    except UnicodeEncodeError:
        return None


def _folded(coded: bytes) -> tuple[str, bytes]:
    folded = coded.translate(_FOLD_BYTES, _FOLD_DROPS)
    return codecs.charmap_decode(folded, "strict", _DECODE)[0], folded


def fold_chars(text: str) -> str:
    """`normalize` without the NFKC step: the same result when ``not needs_nfkc(text)``.

    For callers that have already asked `needs_nfkc` (it costs a pass over the text).
    A short text (a name) is one ``str.translate``: the loop's fixed cost, a test per
    pair, is then the larger; both give the same result.
    """
    if len(text) <= _SHORT:
        return text.translate(_TABLE).lower()
    for char, replacement in _REPLACEMENTS:
        if char in text:
            text = text.replace(char, replacement)
    return text.lower()


class SourceMap:
    """Maps spans of ``normalize(source)`` back to the text as written.

    `normalize` keeps every character in place except the ones it drops
    (diacritics, tatweel, joiners), so an offset in the matching form is the
    same offset in the source plus the number of dropped characters before it.
    Matchers work on the matching form; this lets them report what the reader
    sees ("الأسايش", not "الاسايش"). When the two texts do not line up that
    way (presentation forms folded by NFKC, a case mapping that changes
    length), spans fall back to the matching form.
    """

    __slots__ = ("_drops", "_folded", "_norm", "_ready", "_shifts", "_source")

    def __init__(self, source: str, norm: str, *, folded: bool | None = None) -> None:
        """``folded``, when the caller knows it: whether ``source`` holds presentation forms, ``needs_nfkc(source)``."""
        self._source = source
        self._norm = norm
        # Computed on the first `span` (many articles never quote anything): see `_offsets`.
        self._shifts: list[int] | None = None
        self._ready = False
        self._folded = folded  # whether NFKC folded the source (see `source_offset`); None: not known yet
        self._drops: list[int] | None = None

    @property
    def source(self) -> str:
        return self._source

    @property
    def norm(self) -> str:
        return self._norm

    def _offsets(self) -> list[int] | None:
        """``d - k`` for the k-th dropped character at source offset ``d``, or None when the texts do not line up.

        The matching-form offset ``i`` is the source offset ``i + k``, where ``k``
        counts the drops ``d_k <= i + k``, i.e. ``d_k - k <= i``: since drops are
        increasing integers ``d_k - k`` never decreases, so ``k`` is one bisection.
        """
        if not self._ready:
            self._ready = True
            drops = self.dropped()
            lined_up = len(self._source) - len(drops) == len(self._norm)
            self._shifts = [d - k for k, d in enumerate(drops)] if lined_up else None
        return self._shifts

    def dropped(self) -> list[int]:
        """Source offsets of the characters `normalize` drops, in order (found once, shared)."""
        if self._drops is None:
            # A search of the text for each character (in C, a few bytes a step) and a find for each of the few
            # dropped ones present: cheaper than a regex class tested at every character.
            source = self._source
            drops: list[int] = []
            present = [c for c in _DROPS if c in source]
            for c in present:
                at = source.find(c)
                while at != -1:
                    drops.append(at)
                    at = source.find(c, at + 1)
            if len(present) > 1:
                drops.sort()
            self._drops = drops
        return self._drops

    def source_offset(self, i: int) -> int | None:
        """The source offset of the character at matching-form offset ``i``, or None when not known for sure.

        Stricter than `span`: when NFKC folded the source, lengths that happen to
        line up do not make offsets right, so there is no answer then.
        """
        shifts = self._offsets()
        if shifts is None:
            return None
        if self._folded is None:
            self._folded = needs_nfkc(self._source)
        return None if self._folded else i + bisect_right(shifts, i)

    def span(self, start: int, end: int) -> str:
        """The source text of the matching-form span ``[start, end)``."""
        shifts = (self._shifts if self._ready else self._offsets()) if end > start else None
        if shifts is None:
            return self._norm[start:end]
        last = end - 1
        return self._source[start + bisect_right(shifts, start):last + bisect_right(shifts, last) + 1]


def ascii_digits(text: str) -> str:
    """Replace Arabic-Indic digits and separators by ASCII ones, nothing else."""
    return text.translate(_DIGITS_TABLE)


def squash_spaces(text: str) -> str:
    """Collapse runs of whitespace within lines to one space and strip each line."""
    if _is_squashed(text):
        return text
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _is_squashed_code(coded: bytes) -> bool:
    """`_is_squashed` of a text coded by the fold table (`_fold_code`): the same tests, on bytes.

    Line breaks and spaces are coded as themselves, so the flat text is one translation of the code.
    """
    flat = coded.translate(_LINE_AS_SPACE, _UNPRINTABLE)  # "\n" read as a space, unprintable characters dropped
    return len(flat) == len(coded) and b"  " not in flat and flat[:1] != b" " and flat[-1:] != b" "


def _is_squashed(text: str) -> bool:
    """Whether `squash_spaces` would return ``text`` unchanged; checked in C, as most texts are.

    True when lines are non-empty and stripped, words are one space apart, and
    no other whitespace or line break occurs: every whitespace character and
    every line break but "\n" is non-printable, and "\n" read as a space
    makes an empty line or a space at a line's edge show as a double or edge space.
    """
    flat = text.replace("\n", " ")
    return flat.isprintable() and "  " not in flat and flat[:1] != " " and flat[-1:] != " "
