"""HTML to text, one block per line: the one conversion of the fetcher's feeds and the cleaning stage.

A whole page (doctype, <html> or <body>) goes through trafilatura, which
finds the main content and leaves navigation, sidebars and comments out. A
fragment (an RSS description, an article body already cut out of its page)
is converted by lxml directly: block elements and <br> become line breaks,
scripts, styles and forms disappear. Text that is not HTML is left alone.

The feeds (`marsad.producers.feeds`) ask for tidy text (``tidy=True``): their
titles and summaries go on the wire as they come out of here. The cleaning
stage (`marsad.streams.clean.pipeline`) squashes spaces itself, with the rest of
its line work.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml import etree

_PAGE = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.IGNORECASE)
_TAG = re.compile(
    r"<(?:p|br|div|span|a|article|section|h[1-6]|ul|ol|li|table|tr|td|img|figure|figcaption|"
    r"blockquote|strong|em|b|i|u|header|footer|main|nav|aside|iframe|script|style)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"</[a-z][a-z0-9]*\s*>|<br\s*/?>", re.IGNORECASE)

# Elements whose content is never article text.
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "form", "button",
                   "select", "nav", "aside", "head", "title", "meta", "link"})
# Elements that start a new line (HTML's block-level elements, plus table cells and list items).
_BLOCK = frozenset({"p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt",
                    "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "blockquote", "pre",
                    "article", "section", "header", "footer", "main", "figure", "figcaption", "address",
                    "details", "summary"})


def is_html(text: str) -> bool:
    """Whether ``text`` is HTML rather than plain text with a stray "<" in it."""
    if "<" not in text:
        return False
    return bool(_PAGE.search(text)) or (bool(_TAG.search(text)) and bool(_CLOSING.search(text)))


def is_page(text: str) -> bool:
    """Whether ``text`` is a whole HTML document rather than a fragment."""
    return bool(_PAGE.search(text))


def html_to_text(html: str | None, *, tidy: bool = False) -> str:
    """The text of an HTML page or fragment, one block per line ("" for unparsable markup).

    With ``tidy``, spaces are collapsed within lines and empty lines dropped
    (see `tidy_lines`). Text without markup or entities is returned as is;
    empty or blank text (or None, which some feeds give) gives "".
    """
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return tidy_lines(html) if tidy else html
    text = _markup_text(html)
    return tidy_lines(text) if tidy else text


def tidy_lines(text: str) -> str:
    """``text`` with runs of spaces (any Unicode space, and zero-width ones) made one, lines stripped,
    empty lines gone."""
    lines = (" ".join(line.replace("\u200b", " ").split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _markup_text(html: str) -> str:
    # A whole page here is text someone handed over (an import, `marsad classify`): its main content, whatever
    # it is. The fetcher reads pages otherwise (`marsad.producers.pages.reader`: metadata, precision first, pages without an
    # article refused), so the trafilatura options differ on purpose; changing these changes classify's output.
    if is_page(html):
        extracted = trafilatura.extract(html, include_comments=False, include_tables=False,
                                        include_images=False, include_links=False, deduplicate=False)
        if extracted and extracted.strip():
            return extracted
        try:
            root = lxml.html.document_fromstring(html).body
        except (etree.ParserError, ValueError):
            return ""
    else:
        try:
            root = lxml.html.fragment_fromstring(html, create_parent="div")
        except (etree.ParserError, ValueError):
            return ""
    return fragment_text(root) if root is not None else ""


def fragment_text(root: lxml.html.HtmlElement) -> str:
    """Text of an element tree with a line break around every block element."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.getparent() is not None:
                el.drop_tree()
            continue
        tag = el.tag.lower()
        if tag in _DROP and el.getparent() is not None:
            el.drop_tree()
        elif tag in _BLOCK:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    return root.text_content()
