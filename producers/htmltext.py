"""Plain text from an HTML fragment, one paragraph per line.

Feed summaries and ``content:encoded`` bodies arrive as HTML fragments; the
events carry text. Block elements and ``<br>`` become line breaks, scripts
and styles are dropped, whitespace inside a line is collapsed.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "table", "tr", "figure", "figcaption", "hr", "main", "nav", "address",
    }
)
DROPPED_TAGS: tuple[str, ...] = ("script", "style", "noscript", "template", "iframe", "object", "svg")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def html_to_text(fragment: str) -> str:
    """Text of ``fragment`` with paragraphs as lines; "" for empty or unparsable input."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _tidy(fragment)
    lxml.etree.strip_elements(root, *DROPPED_TAGS, with_tail=False)
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            continue
        tag = element.tag.lower()
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
