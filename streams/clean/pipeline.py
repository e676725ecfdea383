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
# A dateline: "<a> - <b>" (any dash or a bar; a tatweel ـ with a space beside it) or "<a> (<b>)".
_DATELINE_DASH = re.compile(r"\s*[-–—|]\s*|\s+ـ\s*|\s*ـ\s+")
_DATELINE_BRACKETS = re.compile(r"^\s*([^()]+?)\s*\(([^()]+)\)\s*[-–—:]?\s*$")
_DATELINE_MAX_CHARS, _DATELINE_MAX_WORDS = 60, 4
_BULLETS = "-–—•*·▪● "
# A hard-wrapped text (`unwrapped`): lines of _WRAP_MIN.._WRAP_MAX characters joined into paragraphs when at
# least _WRAP_SHARE of its lines of _WRAP_SIZED characters or more are that short, and it has _WRAP_LINES such.
_WRAP_MIN, _WRAP_MAX, _WRAP_SIZED, _WRAP_SHARE, _WRAP_LINES = 20, 100, 35, 0.8, 4
_SENTENCE_ENDS = ".!?؟:…"

_LEADING = _BULLETS + "\"'“”«»()[]#"


def unwrapped(text: str) -> str:
    """``text`` with each paragraph that was hard-wrapped (cut into lines of a fixed width, no full stop
    before each break: "... مكونة من\nستة أشخاص.") joined into one line.

    Only a text most of whose lines of some length are short (`_WRAP_MAX` characters at most) is read as
    wrapped; in it, a run of lines of `_WRAP_MIN` to `_WRAP_MAX` characters, none a list item, none ending
    a sentence but the last, which does, is one paragraph. A title, a list or a line of a normal text is
    left alone (the lines of a normal paragraph are longer).
    """
    if text.count("\n") < _WRAP_LINES:
        return text
    lines = [line.strip() for line in text.split("\n")]
    sized = [len(line) for line in lines if len(line) >= _WRAP_SIZED]
    if len(sized) < _WRAP_LINES or sum(n <= _WRAP_MAX for n in sized) < _WRAP_SHARE * len(sized):
        return text
    out: list[str] = []
    run: list[str] = []
    for line in lines:
        # a run's last line may be short ("... وفارس\nمخلف أسود.")
        if line and line[0] not in _BULLETS and len(line) <= _WRAP_MAX and (run or len(line) >= _WRAP_MIN):
            if line.rstrip(_CLOSING)[-1:] in _SENTENCE_ENDS:
                out.append(" ".join([*run, line]))
                run = []
                continue
            if len(line) >= _WRAP_MIN:
                run.append(line)
                continue
        out += run
        run = []
        out.append(line)
    out += run
    return "\n".join(out) if len(out) < len(lines) else text


def clean(text: str, rules: BoilerplateRules | None = None) -> str:
    """Clean body text of an article, one paragraph per line.

    Stages, in order:

    1. HTML (a page or a fragment) becomes text with one block per line
       (`marsad.streams.clean.html`); stray entities in plain text are decoded.
    2. Line breaks are unified, spaces squashed, each line stripped.
    3. Boilerplate lines are dropped by the rules of ``boilerplate.yaml``
       (or ``rules``): share bars, "Read Next" and its teaser, "اقرأ أيضا"
       teasers, "Most Popular" lists, correction and complaint footers...
    4. A line repeated (a photo caption printed twice, verbatim, or once with
       its credit and once bare or with a dangling dash) is kept once. A run of at least
       ``ticker_min_lines`` short headlines of other articles above the first
       paragraph (a "latest news" ticker printed before the article) goes; the
       article's own title and summary lines above it stay. Short headlines of
       other articles below the last paragraph (``teaser_tail_max_lines``) go.
       A title repeated inside a wrapper of a few words ("<site> - <title>",
       "<title> - <site>", "نقدم لكم خبر “<title>”") is kept once: the wrapper
       goes. A dateline "<outlet> - <city>" alone on a line at the top whose
       city the article never names again (where the outlet sits) goes.
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
    text = unwrapped(text)
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
        ticker = _leading_ticker(body, norm_body, rules)
        body, norm_body = body[ticker:], norm_body[ticker:]
    if rules.teaser_tail_max_lines and len(body) > 1:
        tail = _trailing_teasers(body, norm_body, rules)
        if tail:
            body, norm_body = body[:-tail], norm_body[:-tail]
    drop = _repeats(body, norm_body, rules) if len(body) > 1 else set()
    if rules.wrapper_max_words and len(body) > 1:
        drop |= _wrappers(body, rules)
    if rules.outlet_words and len(body) > 1:
        drop |= _datelines(body, norm_body, rules)
    if drop:
        body = [line for i, line in enumerate(body) if i not in drop]
        norm_body = [line for i, line in enumerate(norm_body) if i not in drop]
    clean_text = "\n".join(body)
    if not per_char:
        return clean_text, normalize(clean_text), per_char
    norm = "\n".join(norm_body)
    if coded is not None and norm_lines is not None:  # the engine's code of the kept lines, joined: not coded again
        code_of = dict(zip(norm_lines, coded[1].split(b"\n"), strict=True))
        remember(norm, b"\n".join(map(code_of.__getitem__, norm_body)))
    return clean_text, norm, per_char


def _repeats(body: list[str], norm_body: list[str], rules: BoilerplateRules) -> set[int]:
    """Indices of the short lines printed again in other words than the first time: the same caption
    with its credit, a date or other boilerplate after a separator, or a dangling dash where the credit
    was left empty (`BoilerplateRules.repeat_key`). Lines are compared only with those that start
    alike, so most lines are never keyed."""
    by_start: dict[str, list[int]] = {}
    for i, line in enumerate(body):
        if len(line) <= rules.title_max_chars:
            by_start.setdefault(norm_body[i].lstrip(_LEADING)[:_KEY_CHARS], []).append(i)
    out = set()
    for group in by_start.values():
        if len(group) > 1:
            keys: set[str] = set()
            for i in group:
                key = rules.repeat_key(body[i], norm_body[i])
                if key in keys:
                    out.add(i)
                keys.add(key)
    return out


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


def _leading_ticker(body: list[str], norm_body: list[str], rules: BoilerplateRules) -> int:
    """How many lines at the top are a ticker of other articles' headlines: a run of short lines of some
    words that do not end with a full stop (a headline may ask a question), right before a paragraph (a
    long line that ends like a sentence), up to the first line about the article, at least
    ``rules.ticker_min_lines`` of them; 0 when there is none.

    A line sharing words with the article below (`BoilerplateRules.shares_words`) is about it: its own
    title, a summary in "- " bullets ("- أسفر الهجوم عن ..."). That line and the rest of the run under
    it (a summary's weaker lines too) are the article's and stay.
    """
    run = 0
    for line in body:
        if not _is_headline(line):
            break
        run += 1
    if run < rules.ticker_min_lines or run >= len(body):
        return 0
    after = body[run]
    if len(after) < _PARAGRAPH_MIN_CHARS or not _ends_with_stop(after):
        return 0
    article = "\n".join(norm_body[run:])
    ticker = next((i for i in range(run) if rules.shares_words(norm_body[i], article)), run)
    return ticker if ticker >= rules.ticker_min_lines else 0


def _trailing_teasers(body: list[str], norm_body: list[str], rules: BoilerplateRules) -> int:
    """How many lines at the end are headlines of other articles printed without a marker ("<a related
    story's title>" under the last paragraph): at most ``rules.teaser_tail_max_lines`` short lines of
    some words that do not end with a full stop, right after a paragraph that does, each sharing fewer
    than two words with the article above (`BoilerplateRules.shares_words`); 0 when there are none."""
    start = len(body)
    while start > 1 and len(body) - start < rules.teaser_tail_max_lines and _is_headline(body[start - 1]) \
            and _reads_like_a_title(body[start - 1]):
        start -= 1
    if start == len(body) or not _ends_with_stop(body[start - 1]):
        return 0
    article = "\n".join(norm_body[:start])
    end = len(body)
    while end > start and not rules.shares_words(norm_body[end - 1], article):
        end -= 1
    return len(body) - end


def _reads_like_a_title(line: str) -> bool:
    """Whether a short line reads like another article's title rather than a sentence of the report that
    lacks its full stop: it does not open with the conjunction و or ف ("وأكد ...", "ولم يكشف ..."), holds
    no comma, and, written in Latin letters, capitalises most of its longer words ("Iraqi Army Kills Five")."""
    words = line.lstrip(_LEADING).split()
    if not words or words[0][0] in "وف" or "،" in line or ", " in line:
        return False
    first_letter = next((c for c in line if c.isalpha()), "")
    if not first_letter.isascii():
        return True
    longer = [w for w in words if len(w) > 3 and w[0].isalpha()]
    return 2 * sum(w[0].isupper() for w in longer) > len(longer)


def _datelines(body: list[str], norm_body: list[str], rules: BoilerplateRules) -> set[int]:
    """Indices of the datelines at the top that say where the outlet sits, not where the news is: a line
    "<outlet> - <city>", "<city> - <outlet>" or "<city> (<outlet>)" (one part holds one of
    ``rules.outlet_words``), above the first line that ends like a sentence, whose city no other line
    of the article names ("تلفزيون سوريا ـ إسطنبول" over news from Deir ez-Zor)."""
    out = set()
    for i, line in enumerate(body):
        if _ends_with_stop(line):
            break
        if len(line) > _DATELINE_MAX_CHARS:
            continue
        parts = _dateline_parts(line)
        if parts is None:
            continue
        outlets = [rules.names_outlet(normalize(part)) for part in parts]
        if outlets.count(True) != 1:
            continue
        city = normalize(parts[outlets.index(False)])
        rest = "\n".join(norm for j, norm in enumerate(norm_body) if j != i)
        if not rules.shares_words(city, rest, need=1):
            out.add(i)
    return out


def _dateline_parts(line: str) -> tuple[str, str] | None:
    """The two parts of a line "<a> - <b>" or "<a> (<b>)", each of a few words; None for other lines."""
    found = _DATELINE_BRACKETS.match(line)
    parts = found.groups() if found else tuple(_DATELINE_DASH.split(line.strip()))
    if len(parts) != 2 or not all(0 < len(_WORDS.findall(part)) <= _DATELINE_MAX_WORDS for part in parts):
        return None
    return parts[0], parts[1]


def _is_headline(line: str) -> bool:
    """A short line of some words that does not end with a full stop (a headline may ask a question)."""
    return len(line) <= _TICKER_MAX_CHARS and line.count(" ") >= _TITLE_MIN_WORDS - 1 and not _ends_with_stop(line)


def _ends_with_stop(line: str) -> bool:
    return line.rstrip(_CLOSING)[-1:] in (".", "!", "…")
