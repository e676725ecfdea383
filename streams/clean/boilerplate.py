"""Site boilerplate removal by general rules kept as data (``boilerplate.yaml``).

The rules file says which lines are site furniture (share bars, "Read Next"
and its teaser, "اقرأ أيضا" teasers, "Most Popular" lists, correction and
complaint footers...); this module only compiles and applies them. Rules
look at one line at a time through its *key* (the line in matching form with
decorations stripped), plus one piece of state: after a marker such as
"Read Next", the following title-like lines are teasers and are dropped too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from streams.text.normalize import normalize

DEFAULT_PATH = Path(__file__).with_name("boilerplate.yaml")

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?؟…]['\"”’»)\]]*$")


class BoilerplateError(ValueError):
    """A boilerplate rules file that cannot be used, naming the field at fault."""


def line_key(line: str) -> str:
    """The form rules are matched against: matching form, decorations stripped, spaces squashed."""
    return _key(normalize(line))


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
    prefixes: re.Pattern[str] | None
    endings: tuple[str, ...]
    patterns: re.Pattern[str] | None
    markers: dict[str, int]  # marker key -> how many teaser lines after it to drop
    title_max_chars: int
    prefix_max_chars: int

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
        first = _WORD.match(key)  # share bars start with a network's name or a share verb
        if first and first.group() in self.words:
            words = _WORD.findall(key)
            if all(w in self.words or w.isdigit() for w in words):
                return True
        if len(line) > self.prefix_max_chars:
            return False
        return bool((self.prefixes and self.prefixes.match(key)) or key.endswith(self.endings)
                    or (self.patterns and self.patterns.search(key)))

    def is_title_like(self, line: str) -> bool:
        """A short line that does not end like a sentence: a heading or a teaser title."""
        return len(line) <= self.title_max_chars and not _SENTENCE_END.search(line)


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
        if len(line) > longest:  # a paragraph: no rule can take it
            teasers = 0
            yield line, norm_line
            continue
        key = _key(norm_line)
        if key in rules.markers:
            teasers = rules.markers[key]
            continue
        if rules.is_boilerplate(line, key):
            continue
        if teasers and rules.is_title_like(line):
            teasers -= 1
            continue
        teasers = 0
        yield line, norm_line


def _compile(doc: Any, source: str) -> BoilerplateRules:
    def fail(field: str, problem: str) -> BoilerplateError:
        return BoilerplateError(f"{source}: {field}: {problem}")

    def phrases(value: Any, field: str) -> list[str]:
        if not isinstance(value, list):
            raise fail(field, "must be a list of phrases")
        for i, v in enumerate(value):
            if not isinstance(v, str) or not line_key(v):
                raise fail(f"{field}[{i}]", f"{v!r} is not a phrase with letters in it (quote on/off/yes/no)")
        return [line_key(v) for v in value]

    def limit(field: str, default: int) -> int:
        value = doc.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise fail(field, "must be a positive whole number of characters")
        return value

    if not isinstance(doc, dict):
        raise fail("top level", "must be a mapping of rule kinds")
    known = {"title_max_chars", "prefix_max_chars", "words", "exact", "prefixes", "endings", "markers", "patterns"}
    unknown = sorted(str(k) for k in doc if k not in known)
    if unknown:
        raise fail(unknown[0], f"unknown rule kind (expected one of: {', '.join(sorted(known))})")
    prefixes = phrases(doc.get("prefixes", []), "prefixes")
    patterns = []
    for i, p in enumerate(doc.get("patterns", []) or []):
        try:
            patterns.append(re.compile(p).pattern)
        except (re.error, TypeError) as e:
            raise fail(f"patterns[{i}]", f"not a regular expression: {e}") from None
    markers: dict[str, int] = {}
    raw_markers = doc.get("markers", [])
    if not isinstance(raw_markers, list):
        raise fail("markers", "must be a list of {teasers, phrases} groups")
    for i, group in enumerate(raw_markers):
        if not isinstance(group, dict) or set(group) - {"teasers", "phrases"}:
            raise fail(f"markers[{i}]", "must be a mapping with teasers and phrases")
        teasers = group.get("teasers", 0)
        if isinstance(teasers, bool) or not isinstance(teasers, int) or teasers < 0:
            raise fail(f"markers[{i}].teasers", "must be a whole number of lines, 0 or more")
        markers.update(dict.fromkeys(phrases(group.get("phrases"), f"markers[{i}].phrases"), teasers))
    rules = BoilerplateRules(
        words=frozenset(w for phrase in phrases(doc.get("words", []), "words") for w in _WORD.findall(phrase)),
        exact=frozenset(phrases(doc.get("exact", []), "exact")),
        prefixes=re.compile("(?:" + "|".join(map(re.escape, prefixes)) + r")(?!\w)") if prefixes else None,
        endings=tuple(phrases(doc.get("endings", []), "endings")),
        patterns=re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None,
        markers=markers,
        title_max_chars=limit("title_max_chars", 200),
        prefix_max_chars=limit("prefix_max_chars", 300),
    )
    too_long = next((p for p in (*rules.exact, *rules.markers) if len(p) > rules.longest), None)
    if too_long is not None:
        raise fail("exact/markers", f"{too_long!r} is longer than title_max_chars and prefix_max_chars")
    return rules
