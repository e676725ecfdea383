"""Site boilerplate removal by general rules kept as data (``boilerplate.yaml``).

The rules file says which lines are site furniture, grouped in named classes
(share bars, teasers, tag lines, time stamps, view counters, font-size
controls, author boxes, translation notes, code residue...); this module only
compiles and applies them. Rules look at one line at a time through its
*key* (the line in matching form with decorations stripped), plus one piece
of state: after a marker such as "Read Next", the following title-like lines
are teasers and are dropped too. `BoilerplateRules.explain` names the class
that takes a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import stems, tokens

DEFAULT_PATH = Path(__file__).with_name("boilerplate.yaml")

_WORD = re.compile(r"[^\W_]+")
# Words and numbers of a time stamp, apart ("gmt09:28" is "gmt", "09", "28").
_STAMP_TOKEN = re.compile(r"[^\W\d_]+|\d+")
# What makes a line a date or a time: a clock time or a year.
_STAMP_SIGNAL = re.compile(r"\d{1,2}:\d{2}|(?<!\d)(?:19|20)\d\d(?!\d)")
_STAMP_MAX_CHARS = 90
# Patterns and stamps look at a line that ends like a sentence only when it is this short.
_SHORT_LINE = 80
_CLOSERS = "'\"”’»)]"
_STOPS = (".", "!", "?", "؟", "…")
# The last separator of a line and what follows it: "<caption> - أرشيفية", "<caption> (رويترز)", "<caption> ـ AFP".
_TAIL = re.compile(r"(?:\s[-–—ـ|/]|\()[^-–—ـ|/(]*$")
_TAIL_MAX_CHARS = 40
_STEM_MIN = 3  # shorter readings of a word say too little to tell what a line is about
_QUESTION_TITLE_CHARS = 120  # a question this short among teasers' titles is one
KINDS = ("words", "exact", "prefixes", "endings", "patterns", "markers", "stamp_words", "code_patterns")


class BoilerplateError(ValueError):
    """A boilerplate rules file that cannot be used, naming the field at fault."""


def line_key(line: str) -> str:
    """The form rules are matched against: matching form, decorations stripped, spaces squashed."""
    return _key(_rule_form(line, normalize(line)))


def _rule_form(line: str, norm_line: str) -> str:
    """``norm_line`` (``normalize(line)``) with the underscores of ``line`` kept.

    The matching form reads "_" as a space (a name in a hashtag is a name); the
    rules need it, since a line of words joined by it is a tag or slug line
    ("#درعا_الان", "[ad_1]"). The matching form is folded character by
    character, so the pieces between underscores fold on their own.
    """
    return norm_line if "_" not in line else "_".join(map(normalize, line.split("_")))


def _key(norm_line: str) -> str:
    i, j = 0, len(norm_line)
    while i < j and not (norm_line[i].isalnum() or norm_line[i] == "©"):  # punctuation, bullets, arrows, emoji
        i += 1
    while j > i and not (norm_line[j - 1].isalnum() or norm_line[j - 1] == "©"):
        j -= 1
    key = norm_line[i:j]
    # Already single-spaced (the usual case; the ends are not spaces): whitespace
    # other than " " is non-printable. Tested in C, cheaper than splitting.
    return key if "  " not in key and key.isprintable() else " ".join(key.split())


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """Compiled boilerplate rules; build once with `load` and share."""

    words: frozenset[str]
    exact: frozenset[str]
    # By first character, the prefixes starting with it (one pattern each): a line is tried only
    # against the few that can match it, not all of them one after the other.
    prefixes: dict[str, re.Pattern[str]]
    endings: dict[str, tuple[str, ...]]  # by last character, the endings ending with it
    patterns: re.Pattern[str] | None  # the patterns written with ^: tried at the key's start only
    floating: re.Pattern[str] | None  # the other patterns: searched through the key
    markers: dict[str, int]  # marker key -> how many teaser lines after it to drop
    stamp_words: frozenset[str]  # weekdays, months, "updated", "am"...: with numbers, a time stamp
    code_patterns: re.Pattern[str] | None  # CSS or script residue, in lines of any length
    title_max_chars: int
    prefix_max_chars: int
    stamp_extra_words: int  # words of a stamp line that are none of stamp_words ("2024.11.10 | 17:52 دمشق")
    wrapper_max_words: int  # see `clean_and_normalize`: a kept title wrapped in this many words more
    ticker_min_lines: int  # see `clean_and_normalize`: a run of headlines this long above the body
    teaser_tail_max_lines: int  # see `clean_and_normalize`: at most this many headlines below the body
    common_words: frozenset[str]  # words not counted when a line is compared with the article
    outlet_words: frozenset[str]  # words of an outlet's name ("تلفزيون", "وكاله", "news", "24"): datelines
    classes: dict[str, BoilerplateRules]  # by class name, each class alone (for `explain`)

    @property
    def longest(self) -> int:
        """Lines longer than this are body whatever they say: no rule can take them."""
        return max(self.title_max_chars, self.prefix_max_chars)

    @classmethod
    def load(cls, path: str | Path | None = None) -> BoilerplateRules:
        """Read and compile a rules file (None: the bundled ``boilerplate.yaml``)."""
        path = Path(path) if path is not None else DEFAULT_PATH
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise BoilerplateError(f"{path}: cannot read boilerplate rules: {e}") from None
        return _compile(doc if doc is not None else {}, path.name)

    @staticmethod
    @cache
    def default() -> BoilerplateRules:
        """The bundled rules, compiled on first use and shared afterwards."""
        return BoilerplateRules.load()

    def is_boilerplate(self, line: str, key: str) -> bool:
        """Whether one line, on its own, is site furniture."""
        if not key:
            return True  # nothing but punctuation or symbols
        if key in self.exact:
            return True
        # Share bars start with a network's name or a share verb. The first word is most often all
        # that lies before the first space (then no pattern need find it).
        space = key.find(" ")
        first = key if space < 0 else key[:space]
        if not first.isalnum():
            found = _WORD.match(key)
            first = found.group() if found else ""
        if first in self.words:
            words = _WORD.findall(key)
            if all(w in self.words or w.isdigit() for w in words):
                return True
        if len(line) > self.prefix_max_chars:
            return self.is_code(line)
        prefixes = self.prefixes.get(key[0])
        if (prefixes is not None and prefixes.match(key)) or key.endswith(self.endings.get(key[-1], ())):
            return True
        if len(line) > _SHORT_LINE and line.rstrip(_CLOSERS)[-1:] in _STOPS:
            return self.is_code(line)  # a sentence: patterns and stamps are for labels, not for it
        if (self.patterns and self.patterns.match(key)) or (self.floating and self.floating.search(key)):
            return True
        return self.is_stamp(key) or self.is_code(line)

    def is_stamp(self, key: str) -> bool:
        """A date or time and little else: "الاثنين 2025-12-15 09:01 ص", "updated: july 5, 2021, 3:18 pm"."""
        if len(key) > _STAMP_MAX_CHARS or not self.stamp_words or not _STAMP_SIGNAL.search(key):
            return False
        extra = 0
        for token in _STAMP_TOKEN.findall(key):
            if not token.isdigit() and token not in self.stamp_words:
                extra += 1
                if extra > self.stamp_extra_words:
                    return False
        return True

    def is_code(self, line: str) -> bool:
        """Style or script residue ("#ad { position: fixed; ... }"); looked for only in lines with { or <."""
        return ("{" in line or "<" in line) and self.code_patterns is not None \
            and self.code_patterns.search(line) is not None

    def explain(self, line: str) -> str | None:
        """The name of the class whose rules take ``line`` on its own (markers included), or None."""
        key = line_key(line)
        for name, rules in self.classes.items():
            if key in rules.markers or rules.is_boilerplate(line, key):
                return name
        return None

    def repeat_key(self, line: str, norm_line: str) -> str:
        """What a short line is compared by to find it printed twice: its key, without a credit, date or
        other boilerplate after its last separator ("<caption> - أرشيفية" is "<caption> -" again)."""
        key = _key(_rule_form(line, norm_line))
        found = _TAIL.search(line)
        if found is None or len(line) - found.start() > _TAIL_MAX_CHARS or found.start() == 0:
            return key
        tail = line[found.start():]
        if not self.is_boilerplate(tail, line_key(tail)):
            return key
        head = line_key(line[:found.start()])
        return head if head else key

    def shares_words(self, norm_line: str, norm_text: str, need: int = 2) -> bool:
        """Whether at least ``need`` words of ``norm_line`` (matching form) are found in ``norm_text``: the
        line is about what the text is about. A word is found when one of its readings without clitics
        (three letters or more, not a number or one of `common_words`) is in the text, even inside
        another word ("العراق" in "العراقية"): the test errs towards finding."""
        found = 0
        for token, _start, _end in tokens(norm_line):
            if token.isdigit():
                continue
            readings = [r for r in stems(token) if len(r) >= _STEM_MIN]
            if not readings or any(r in self.common_words for r in readings):
                continue
            if any(r in norm_text for r in readings):
                found += 1
                if found >= need:
                    return True
        return False

    def names_outlet(self, norm_part: str) -> bool:
        """Whether a part of a line (matching form) holds a word of an outlet's name ("تلفزيون سوريا", "SY24")."""
        return any(token in self.outlet_words for token, _start, _end in tokens(norm_part))

    def is_title_like(self, line: str) -> bool:
        """A short line that does not end like a sentence: a heading or a teaser title."""
        return len(line) <= self.title_max_chars and not _ends_like_sentence(line)


def _ends_like_sentence(line: str) -> bool:
    """Whether ``line`` ends with . ! ? ؟ or …, quotes and brackets after it aside (cheaper than a regex)."""
    return line.rstrip(_CLOSERS)[-1:] in _STOPS


def _one_question(line: str) -> bool:
    """Whether ``line`` is a short single question: a teaser's title may ask ("... ما وجهتها؟")."""
    body = line.rstrip(_CLOSERS)
    return len(line) <= _QUESTION_TITLE_CHARS and body[-1:] in "?؟" and not any(c in body[:-1] for c in ".!?؟")


def drop_boilerplate(lines: Sequence[str], rules: BoilerplateRules) -> Iterator[str]:
    """The non-empty lines that are not boilerplate, in order.

    A marker line drops itself and up to its number of following title-like
    lines; the first line that is not title-like ends the teasers and is kept.
    """
    for line, _norm_line in kept_lines(lines, rules):
        yield line


def kept_lines(lines: Sequence[str], rules: BoilerplateRules,
               norm_lines: Sequence[str] | None = None) -> Iterator[tuple[str, str]]:
    """`drop_boilerplate`, each kept line with its matching form.

    ``norm_lines``, when the caller has them, are ``normalize(line)`` for each of ``lines``.
    """
    if norm_lines is None:
        # One normalisation of the whole text is much cheaper than one per line; it keeps
        # line breaks, so its lines pair with the originals.
        norm_lines = normalize("\n".join(lines)).split("\n")
        if len(norm_lines) != len(lines):
            norm_lines = [normalize(line) for line in lines]
    teasers = 0
    longest = rules.longest
    for line, norm_line in zip(lines, norm_lines, strict=True):
        if not line:
            continue
        if len(line) > longest:  # a paragraph: no rule but code residue can take it
            if rules.code_patterns is not None and rules.is_code(line):
                continue
            teasers = 0
            yield line, norm_line
            continue
        key = _key(_rule_form(line, norm_line))
        if key in rules.markers:
            teasers = rules.markers[key]
            continue
        if rules.is_boilerplate(line, key):
            continue
        if teasers and (rules.is_title_like(line) or _one_question(line)):
            teasers -= 1
            continue
        teasers = 0
        yield line, norm_line


def _compile(doc: Any, source: str) -> BoilerplateRules:
    """Rules of a parsed file: its classes (``classes: {name: {kind: ...}}``) and any kinds at top level."""
    def fail(field: str, problem: str) -> BoilerplateError:
        return BoilerplateError(f"{source}: {field}: {problem}")

    def limit(field: str, default: int, low: int = 1) -> int:
        value = doc.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(field, f"must be a whole number, {low} or more")
        return value

    if not isinstance(doc, dict):
        raise fail("top level", "must be a mapping of rule kinds")
    settings = {"title_max_chars", "prefix_max_chars", "stamp_extra_words", "wrapper_max_words",
                "ticker_min_lines", "teaser_tail_max_lines", "common_words", "outlet_words", "classes"}
    unknown = sorted(str(k) for k in doc if k not in settings and k not in KINDS)
    if unknown:
        raise fail(unknown[0], f"unknown rule kind (expected one of: {', '.join(sorted(settings | set(KINDS)))})")
    groups: dict[str, tuple[str, dict]] = {}
    top = {k: v for k, v in doc.items() if k in KINDS}
    if top:
        groups["rules"] = ("", top)
    classes = doc.get("classes", {}) or {}
    if not isinstance(classes, dict):
        raise fail("classes", "must be a mapping of class names to their rules")
    for name, body in classes.items():
        if not isinstance(body, dict):
            raise fail(f"classes.{name}", "must be a mapping of rule kinds (and `what`)")
        bad = sorted(str(k) for k in body if k not in KINDS and k != "what")
        if bad:
            raise fail(f"classes.{name}.{bad[0]}", f"unknown rule kind (expected one of: what, {', '.join(KINDS)})")
        groups[str(name)] = (f"classes.{name}.", {k: v for k, v in body.items() if k != "what"})
    limits: dict[str, Any] = {
        "title_max_chars": limit("title_max_chars", 200), "prefix_max_chars": limit("prefix_max_chars", 300),
        "stamp_extra_words": limit("stamp_extra_words", 1, low=0),
        "wrapper_max_words": limit("wrapper_max_words", 0, low=0),
        "ticker_min_lines": limit("ticker_min_lines", 0, low=0),
        "teaser_tail_max_lines": limit("teaser_tail_max_lines", 0, low=0),
    }
    for field in ("common_words", "outlet_words"):
        limits[field] = _word_list(doc.get(field, []) or [], field, fail)
    parsed = {name: _parse(body, where, fail) for name, (where, body) in groups.items()}
    each = {name: _build(parts, limits, {}) for name, parts in parsed.items()}
    merged: dict[str, list] = {kind: [] for kind in KINDS}
    for parts in parsed.values():
        for kind, values in parts.items():
            merged[kind].extend(values)
    rules = _build(merged, limits, each)
    too_long = next((p for p in (*rules.exact, *rules.markers) if len(p) > rules.longest), None)
    if too_long is not None:
        raise fail("exact/markers", f"{too_long!r} is longer than title_max_chars and prefix_max_chars")
    return rules


def _parse(body: dict, where: str, fail) -> dict[str, list]:
    """The kinds of one class (or of the top level), checked: {kind: [values]}; markers as (key, teasers)."""
    def phrases(value: Any, field: str) -> list[str]:
        if not isinstance(value, list):
            raise fail(where + field, "must be a list of phrases")
        for i, v in enumerate(value):
            if not isinstance(v, str) or not line_key(v):
                raise fail(f"{where}{field}[{i}]", f"{v!r} is not a phrase with letters in it (quote on/off/yes/no)")
        return [line_key(v) for v in value]

    def regexes(value: Any, field: str) -> list[str]:
        if not isinstance(value, list):
            raise fail(where + field, "must be a list of regular expressions")
        for i, p in enumerate(value):
            try:
                re.compile(p)
            except (re.error, TypeError) as e:
                raise fail(f"{where}{field}[{i}]", f"not a regular expression: {e}") from None
        return list(value)

    out: dict[str, list] = {
        "words": [w for phrase in phrases(body.get("words", []), "words") for w in _WORD.findall(phrase)],
        "exact": phrases(body.get("exact", []), "exact"),
        "prefixes": phrases(body.get("prefixes", []), "prefixes"),
        "endings": phrases(body.get("endings", []), "endings"),
        "patterns": regexes(body.get("patterns", []) or [], "patterns"),
        "code_patterns": regexes(body.get("code_patterns", []) or [], "code_patterns"),
        "stamp_words": [w for phrase in phrases(body.get("stamp_words", []), "stamp_words")
                        for w in _STAMP_TOKEN.findall(phrase)],
        "markers": [],
    }
    raw_markers = body.get("markers", [])
    if not isinstance(raw_markers, list):
        raise fail(where + "markers", "must be a list of {teasers, phrases} groups")
    for i, group in enumerate(raw_markers):
        if not isinstance(group, dict) or set(group) - {"teasers", "phrases"}:
            raise fail(f"{where}markers[{i}]", "must be a mapping with teasers and phrases")
        teasers = group.get("teasers", 0)
        if isinstance(teasers, bool) or not isinstance(teasers, int) or teasers < 0:
            raise fail(f"{where}markers[{i}].teasers", "must be a whole number of lines, 0 or more")
        out["markers"].extend((p, teasers) for p in phrases(group.get("phrases"), f"{where}markers[{i}].phrases"))
    return out


def _word_list(value: Any, field: str, fail) -> frozenset[str]:
    """The words of a list of phrases (a setting), in matching form; letters and numbers apart ("sy24")."""
    if not isinstance(value, list):
        raise fail(field, "must be a list of words")
    out: set[str] = set()
    for i, v in enumerate(value):
        key = line_key(v) if isinstance(v, str) else ""
        if not key:
            raise fail(f"{field}[{i}]", f"{v!r} is not a phrase with letters in it (quote on/off/yes/no)")
        out.update(_STAMP_TOKEN.findall(key))
    return frozenset(out)


def _either(patterns: list[str], flags: int = 0) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags) if patterns else None


def _by_first(prefixes: list[str]) -> dict[str, re.Pattern[str]]:
    """Each first character -> one pattern of the prefixes starting with it, in their order, as whole words."""
    groups: dict[str, list[str]] = {}
    for p in prefixes:
        groups.setdefault(p[0], []).append(re.escape(p))
    return {first: re.compile("(?:" + "|".join(alternatives) + r")(?!\w)") for first, alternatives in groups.items()}


def _by_last(endings: list[str]) -> dict[str, tuple[str, ...]]:
    """Each last character -> the endings ending with it, in their order."""
    groups: dict[str, list[str]] = {}
    for e in endings:
        groups.setdefault(e[-1], []).append(e)
    return {last: tuple(group) for last, group in groups.items()}


def _build(parts: dict[str, list], limits: dict[str, Any], classes: dict[str, BoilerplateRules]) -> BoilerplateRules:
    return BoilerplateRules(
        words=frozenset(parts["words"]),
        exact=frozenset(parts["exact"]),
        prefixes=_by_first(parts["prefixes"]),
        endings=_by_last(parts["endings"]),
        patterns=_either([p for p in parts["patterns"] if p.startswith("^")]),
        floating=_either([p for p in parts["patterns"] if not p.startswith("^")]),
        markers=dict(parts["markers"]),
        stamp_words=frozenset(parts["stamp_words"]),
        code_patterns=_either(parts["code_patterns"]),
        classes=classes,
        **limits,
    )
