"""A fetched page's bytes to its article: decode, judge, extract.

One function, so that it can run in a worker process (``marsad.producers.pages.isolation``)
as well as in a thread: it takes plain values and returns plain values.
"""

from __future__ import annotations

from marsad.producers.pages.decoding import decode_document
from marsad.producers.pages.mojibake import count_letters, mojibake_signs
from marsad.producers.pages.reader import Extracted, ExtractOptions, extract_article


class GarbledText(ValueError):
    """No encoding reads the body as clean text: it is refused, never published as mojibake."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_and_extract(content: bytes, charset: str | None, url: str, options: ExtractOptions) -> tuple[str, Extracted]:
    """``(encoding, article)`` of a page; raises ``GarbledText`` or ``ExtractionFailed``.

    CPU-bound (tens of milliseconds a page, much more on hostile ones). The
    extracted text is judged once more: markup that looked clean can still
    wrap an article that is not.
    """
    decoded = decode_document(content, charset, is_xml=False)
    if decoded.garbled:
        raise GarbledText(decoded.reason)
    extracted = extract_article(decoded.text, url, options)
    signs = mojibake_signs(count_letters(f"{extracted.title or ''}\n{extracted.text}"))
    if signs:
        raise GarbledText(f"garbled text: the article read as {decoded.encoding} shows mojibake ({', '.join(signs)})")
    return decoded.encoding, extracted
