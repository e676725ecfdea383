"""Article text and metadata from a page, with trafilatura.

Precision is favoured over recall: a teaser list or a comment box that leaks
into the text would feed false places and topics to every later stage,
while a lost closing paragraph costs little. Paragraphs stay one per line
(the stream stages split on lines). trafilatura works on the string it is
given; it is never asked to download anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec
from trafilatura import bare_extraction
from trafilatura.deduplication import LRUCache
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from marsad.producers.pages.linkdensity import measure
from marsad.streams.text.lang import detect_lang

_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.IGNORECASE)
_HEAVY_BLOCKS = re.compile(r"<(script|style|svg)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_META_LANG = re.compile(
    r"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*["']?([A-Za-z]{2,3})""",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    favor_precision: bool = True
    include_tables: bool = False
    deduplicate: bool = True  # let trafilatura drop segments repeated within the page
    min_chars: int = 200  # less text than this is not an article
    # htmldate's extensive search calls dateparser, whose first use loads every locale (~5 s) for dates the
    # feed usually gives anyway; markup dates (meta, <time>, "2024/11/12" patterns) are still found without it.
    extensive_date_search: bool = False
    prune_xpath: tuple[str, ...] = ()  # extra site-specific elements to drop before extraction
    # Work caps: markup beyond this many characters (after dropping scripts and styles) is not looked at,
    # and a page with at least link_farm_links links whose text is mostly link text is refused unread.
    max_html_chars: int = 1_500_000
    link_farm_links: int = 100
    max_page_link_share: float = 0.8  # of the page's visible text
    max_text_link_share: float = 0.5  # of the extracted text: lines that are the page's link texts


class Extracted(msgspec.Struct, frozen=True, omit_defaults=True):
    text: str  # paragraphs as lines
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD as found in the page
    language: str | None = None  # ISO 639-1, from the page's markup or its script
    sitename: str | None = None


class ExtractionFailed(ValueError):
    """Nothing usable came out of the page; ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


DEFAULT_OPTIONS = ExtractOptions()


def extract_article(html: str, url: str, options: ExtractOptions = DEFAULT_OPTIONS) -> Extracted:
    """Main text, title, author, date and language of the article page ``html`` found at ``url``.

    Stages, in order: cap the markup (``cap_markup``); parse it; refuse a
    link farm (mostly link text) unread; extract with trafilatura; refuse
    text that is too short or mostly the page's link texts.

    CPU-bound (tens of milliseconds per page): async callers run it in a
    thread. Raises ``ExtractionFailed`` when the page yields no article text.
    """
    if not html or not html.strip():
        raise ExtractionFailed("empty page")
    html = cap_markup(html, options.max_html_chars)
    try:
        tree = load_html(html)
    except Exception as exc:  # lxml raises many types on hostile markup
        raise ExtractionFailed(f"unparsable page: {type(exc).__name__}: {exc}") from None
    if tree is None:
        raise ExtractionFailed("unparsable page")
    links = measure(tree)
    if links.links >= options.link_farm_links and links.share > options.max_page_link_share:
        raise ExtractionFailed(
            f"no article text: the page is mostly links ({links.links} links, {links.share:.0%} of its text)"
        )
    try:
        document = bare_extraction(
            tree,
            url=url,
            favor_precision=options.favor_precision,
            include_comments=False,
            include_tables=options.include_tables,
            include_images=False,
            include_links=False,
            include_formatting=False,
            # A fresh cache per page: trafilatura's default cache is shared by the whole process, which would
            # make the output depend on the pages seen before (and drop text that other outlets republished).
            deduplicate=LRUCache(maxsize=1024) if options.deduplicate else False,
            with_metadata=True,
            date_extraction_params=set_date_params(options.extensive_date_search),
            prune_xpath=list(options.prune_xpath) or None,
        )
    except MemoryError:
        raise  # the caller's to judge (an isolated worker reports "over memory")
    except Exception as exc:  # trafilatura/lxml raise many types on hostile markup; report, do not crash
        raise ExtractionFailed(f"extractor error: {type(exc).__name__}: {exc}") from None
    if not isinstance(document, Document) or not (document.text or "").strip():
        raise ExtractionFailed("no main text found")
    text = _lines(document.text)
    if len(text) < options.min_chars:
        raise ExtractionFailed(f"too little text: {len(text)} chars < {options.min_chars}")
    text_link_share = links.share_of(text)
    if text_link_share > options.max_text_link_share:
        raise ExtractionFailed(f"no article text: {text_link_share:.0%} of the text found is the page's link text")
    return Extracted(
        text=text,
        title=_clean(document.title),
        author=_clean(document.author),
        date=_clean(document.date),
        language=markup_language(html) or detect_lang(text) or None,
        sitename=_clean(document.sitename),
    )


def cap_markup(html: str, max_chars: int) -> str:
    """``html`` cut down to ``max_chars``: scripts, styles, SVG and comments dropped first, then the tail.

    An article sits in the first megabyte or so of its page; what makes
    pages huge is inline code and data, or endless lists. JSON-LD scripts
    are kept (they carry the date and author).
    """
    if len(html) <= max_chars:
        return html
    html = _HEAVY_BLOCKS.sub(_keep_json_ld, html)
    if len(html) <= max_chars:
        return html
    cut = html.rfind(">", 0, max_chars)
    return html[: cut + 1 if cut > 0 else max_chars]


def markup_language(html: str) -> str | None:
    """The language the page declares (``<html lang>`` or Content-Language meta), lower-case."""
    head = html[:8192]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return match.group(1).lower() if match else None


def _keep_json_ld(match: re.Match[str]) -> str:
    block = match.group(0)
    return block if "ld+json" in block[:200].lower() else ""


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
