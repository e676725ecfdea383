"""The cleaning stage: raw article text or HTML in, body text out, one paragraph per line."""

from __future__ import annotations

import html
import re

from marsad.streams.clean.boilerplate import BoilerplateRules, kept_lines
from marsad.streams.clean.html import html_to_text, is_html
from marsad.streams.text.automaton import remember
from marsad.streams.text.normalize import (
    SourceMap,
    fold_chars,
    needs_nfkc,
    normalize,
    squash_and_fold,
)

_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_WORDS = re.compile(r"[^\W_]+")
_WRAPPER_MARK = re.compile("[-|–—:“”«»\"]")
_TITLE_MIN_WORDS = 4
_TICKER_MAX_CHARS, _PARAGRAPH_MIN_CHARS = 120, 140
_KEY_CHARS = 12  # titles are looked up by this many characters at either end
_WRAPPER_MAX_CHARS = 120  # what a wrapper of a few words adds to a title, at most
_CLOSING = "”»\"' "


def clean(text: str, rules: BoilerplateRules | None = None) -> str:
    """Clean body text of an article, one paragraph per line.

    Stages, in order:

    1. HTML (a page or a fragment) becomes text with one block per line
       (`marsad.streams.clean.html`); stray entities in plain text are decoded.
    2. Line breaks are unified, spaces squashed, each line stripped.
    3. Boilerplate lines are dropped by the rules of ``boilerplate.yaml``
       (or ``rules``): share bars, "Read Next" and its teaser, "اقرأ أيضا"
       teasers, "Most Popular" lists, correction and complaint footers...
    4. A run of at least ``ticker_min_lines`` short headlines above the first
       paragraph (a "latest news" ticker printed before the article) goes.
       A line repeated verbatim (a photo caption printed twice) is kept once,
       and so is a title repeated inside a wrapper of a few words ("<site> -
       <title>", "<title> - <site>", "نقدم لكم خبر “<title>”"): the wrapper goes.
    5. Empty lines are dropped.

    Spelling is kept as written: matching forms are for the classifier.
    """
    return clean_and_normalize(text, rules)[0]


def clean_and_normalize(text: str, rules: BoilerplateRules | None = None) -> tuple[str, str]:
    """``(clean(text, rules), normalize(clean(text, rules)))``, normalising only once.

    Boilerplate rules already need the matching form of every line; when
    `normalize` maps characters one by one (no NFKC, see `needs_nfkc`), the
    matching form of the body is the kept lines' forms joined, so the body is
    not normalised a second time.
    """
    body, norm, _ = _clean(text, rules)
    return body, norm


def clean_and_map(text: str, rules: BoilerplateRules | None = None) -> SourceMap:
    """`clean_and_normalize` as the `SourceMap` of the clean text (``.source``) to its matching form (``.norm``).

    The map is told what cleaning already found out: when the text had no presentation forms,
    neither has the body, and the map need not look for them again (`SourceMap.source_offset`).
    """
    body, norm, per_char = _clean(text, rules)
    return SourceMap(body, norm, folded=False if per_char else None)


def _clean(text: str, rules: BoilerplateRules | None) -> tuple[str, str, bool]:
    """The clean text, its matching form, and whether that form was folded character by character (no NFKC)."""
    rules = rules if rules is not None else BoilerplateRules.default()
    if is_html(text):
        text = html_to_text(text)
    elif "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    # every kind of line break (str.splitlines) becomes \n; coded None: a character outside the fold table,
    # asked about one by one below
    joined, coded = squash_and_fold(text)
    lines = joined.split("\n")
    per_char = coded is not None or not needs_nfkc(joined)
    folded = coded[0] if coded is not None else fold_chars(joined) if per_char else None
    norm_lines = folded.split("\n") if folded is not None else None
    if norm_lines is not None and len(norm_lines) != len(lines):
        norm_lines, per_char = None, False
    seen: set[str] = set()
    body = []
    norm_body = []
    for line, norm_line in kept_lines(lines, rules, norm_lines):
        if line not in seen:
            seen.add(line)
            body.append(line)
            norm_body.append(norm_line)
    if rules.ticker_min_lines and len(body) > rules.ticker_min_lines:
        ticker = _leading_ticker(body, rules.ticker_min_lines)
        body, norm_body = body[ticker:], norm_body[ticker:]
    if rules.wrapper_max_words and len(body) > 1:
        wrappers = _wrappers(body, rules)
        if wrappers:
            body = [line for i, line in enumerate(body) if i not in wrappers]
            norm_body = [line for i, line in enumerate(norm_body) if i not in wrappers]
    clean_text = "\n".join(body)
    if not per_char:
        return clean_text, normalize(clean_text), per_char
    norm = "\n".join(norm_body)
    if coded is not None and norm_lines is not None:  # the engine's code of the kept lines, joined: not coded again
        code_of = dict(zip(norm_lines, coded[1].split(b"\n"), strict=True))
        remember(norm, b"\n".join(map(code_of.__getitem__, norm_body)))
    return clean_text, norm, per_char


def _wrappers(body: list[str], rules: BoilerplateRules) -> set[int]:
    """Indices of the lines that are another kept title-like line (of some words) wrapped in at most
    ``rules.wrapper_max_words`` words more, joined by a dash, bar, colon or quotes.

    The title starts or ends the wrapper ("<title> - <site>", "<site> - <title>", "خبر “<title>”"),
    so titles are looked up by their first and last characters: no loop over lines times titles.
    """
    heads: dict[str, str] = {}
    tails: dict[str, str] = {}
    longest = 0
    for t in body:
        if _KEY_CHARS <= len(t) <= rules.title_max_chars and rules.is_title_like(t) \
                and t.count(" ") >= _TITLE_MIN_WORDS - 1:
            longest = max(longest, len(t))
            for keys, key in ((heads, t[:_KEY_CHARS]), (tails, t[-_KEY_CHARS:])):
                if len(t) < len(keys.get(key, t + " ")):  # the shortest: a wrapper shares its title's ends
                    keys[key] = t
    if not heads:
        return set()
    out = set()
    reach = min(rules.prefix_max_chars, longest + _WRAPPER_MAX_CHARS)  # no wrapper is longer
    for i, line in enumerate(body):
        if len(line) > reach or not _WRAPPER_MARK.search(line):
            continue
        title = heads.get(line[:_KEY_CHARS])
        rest = line[len(title):] if title and len(line) > len(title) and line.startswith(title) else None
        if rest is None:
            end = line.rstrip(_CLOSING)
            title = tails.get(end[-_KEY_CHARS:])
            rest = end[:-len(title)] if title and len(end) > len(title) and end.endswith(title) else None
        if rest is not None and len(_WORDS.findall(rest)) <= rules.wrapper_max_words and _WRAPPER_MARK.search(rest):
            out.add(i)
    return out


def _leading_ticker(body: list[str], min_lines: int) -> int:
    """How many lines at the top are a ticker of other articles' headlines: at least ``min_lines``
    short lines of some words that do not end with a full stop (a headline may ask a question),
    right before a paragraph (a long line that ends like a sentence); 0 when there is none."""
    run = 0
    for line in body:
        if len(line) > _TICKER_MAX_CHARS or line.count(" ") < _TITLE_MIN_WORDS - 1 or _ends_with_stop(line):
            break
        run += 1
    if run < min_lines or run >= len(body):
        return 0
    after = body[run]
    return run if len(after) >= _PARAGRAPH_MIN_CHARS and _ends_with_stop(after) else 0


def _ends_with_stop(line: str) -> bool:
    return line.rstrip(_CLOSING)[-1:] in (".", "!", "…")
