"""The cleaning stage: raw article text or HTML in, body text out, one paragraph per line."""

from __future__ import annotations

import html
import re

from streams.clean.boilerplate import BoilerplateRules, drop_boilerplate
from streams.clean.html import html_to_text, is_html
from streams.text.normalize import squash_spaces

_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def clean(text: str, rules: BoilerplateRules | None = None) -> str:
    """Clean body text of an article, one paragraph per line.

    Stages, in order:

    1. HTML (a page or a fragment) becomes text with one block per line
       (`streams.clean.html`); stray entities in plain text are decoded.
    2. Line breaks are unified, spaces squashed, each line stripped.
    3. Boilerplate lines are dropped by the rules of ``boilerplate.yaml``
       (or ``rules``): share bars, "Read Next" and its teaser, "اقرأ أيضا"
       teasers, "Most Popular" lists, correction and complaint footers...
    4. A line repeated verbatim (a photo caption printed twice) is kept once.
    5. Empty lines are dropped.

    Spelling is kept as written: matching forms are for the classifier.
    """
    rules = rules if rules is not None else BoilerplateRules.default()
    if is_html(text):
        text = html_to_text(text)
    elif "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    lines = squash_spaces(text).split("\n")  # every kind of line break (str.splitlines) becomes \n
    seen: set[str] = set()
    body = []
    for line in drop_boilerplate(lines, rules):
        if line not in seen:
            seen.add(line)
            body.append(line)
    return "\n".join(body)
