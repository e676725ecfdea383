"""How much of a page, and of the text taken from it, is link text.

A link farm (a sitemap, a tag archive, a spam page of thousands of links)
has no article, yet an extractor that must return something returns its
link text. Two checks, both measured on the parsed page: before extraction,
a page whose visible text is mostly inside ``<a>`` elements is refused
(cheap, and it spares the extractor its most expensive input); after
extraction, a text whose lines are mostly the page's link texts is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

_VISIBLE = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class LinkDensity:
    links: int  # <a> elements with text
    link_chars: int  # visible characters inside them
    text_chars: int  # visible characters of the whole body
    link_texts: frozenset[str]  # each link's text, whitespace collapsed

    @property
    def share(self) -> float:
        """The share of the page's visible text that is link text (0 for an empty page)."""
        return self.link_chars / self.text_chars if self.text_chars else 0.0

    def share_of(self, text: str) -> float:
        """The share of ``text``'s characters in lines that are exactly one of the page's link texts."""
        lines = [line for line in (normalise(raw) for raw in text.splitlines()) if line]
        total = sum(map(len, lines))
        if not total:
            return 0.0
        return sum(len(line) for line in lines if line in self.link_texts) / total


def measure(tree: HtmlElement) -> LinkDensity:
    """Link and text sizes of a parsed page (libxml2 does the walking: fast even on huge pages)."""
    text_chars = sum(len(normalise(piece)) for piece in tree.xpath(_VISIBLE))
    # Anchors are walked with iter(), not XPath: "//a//text()" is quadratic in libxml2 on 10^5 links.
    link_texts = [normalise(anchor.text_content()) for anchor in tree.iter("a")]
    link_texts = [text for text in link_texts if text]
    return LinkDensity(
        links=len(link_texts),
        link_chars=min(text_chars, sum(map(len, link_texts))),
        text_chars=text_chars,
        link_texts=frozenset(link_texts),
    )


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
