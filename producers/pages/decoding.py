"""Decode fetched bytes to text, correctly even when the HTTP header lies.

Arabic news sites still serve windows-1256 and ISO-8859-6, often behind a
server whose default ``Content-Type`` says UTF-8 or ISO-8859-1. Candidates
are tried in this order of trust:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. the pattern of zero bytes of UTF-16/UTF-32 without a mark;
3. what the document says about itself (XML declaration, HTML ``<meta>``);
4. the charset of the HTTP ``Content-Type`` header;
5. the Arabic encodings (UTF-8, windows-1256, ISO-8859-6);
6. the repairs of mojibake saved as it was (below);
7. charset-normalizer's guess, unless a Unicode codec read the bytes
   strictly (valid UTF-8 is no accident: such text is garbled UTF-8).

A candidate is accepted only if it decodes strictly *and* the text a reader
would see (tags and scripts dropped: ASCII markup dilutes every share) shows
no signature of mojibake (``marsad.producers.pages.mojibake``): windows-1256 bytes decode
"successfully" as Latin-1, and ISO-8859-6 bytes as windows-1256, so a clean
decode alone proves nothing. Two more checks follow from that:

- when every declared and Arabic candidate shows mojibake, each is tried
  once more as text decoded wrongly and saved as UTF-8 again (double-encoded
  UTF-8, or windows-1256 read as Latin-1), and a repaired text kept when it
  is clean;
- an accepted non-Arabic reading (Latin-1, Cyrillic...) gives way to
  windows-1256 or ISO-8859-6 when those read the same bytes as clean
  Arabic: an Arabic-script page never ends as Latin or Cyrillic mojibake.

When every candidate shows mojibake the result says ``garbled``: callers
dead-letter it rather than publish it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

import charset_normalizer

from marsad.producers.pages.mojibake import (
    Letters,
    count_letters,
    double_encoding_repairs,
    mojibake_signs,
    readable_text,
)

# (bom, codec) — UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Tried in this order when nothing declared is usable.
ARABIC_PREFERENCE: tuple[str, ...] = ("utf-8", "windows-1256", "iso-8859-6")
# Single-byte Arabic codecs an accepted Latin or Cyrillic reading is checked against.
ARABIC_SINGLE_BYTE: tuple[str, ...] = ("cp1256", "iso8859-6")
# Codecs that can carry Arabic: a reading in one of them needs no second opinion.
ARABIC_CAPABLE = frozenset({"utf-8", "cp1256", "iso8859-6", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})
# Codecs whose strict decoding is itself strong evidence of the encoding.
UNICODE_CODECS = frozenset({"utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})
# Friendlier names for what we report; everything else keeps Python's codec name.
DISPLAY_NAMES: dict[str, str] = {
    "utf-8": "utf-8",
    "cp1256": "windows-1256",
    "iso8859-6": "iso-8859-6",
    "cp1252": "windows-1252",
    "cp1251": "windows-1251",
    "iso8859-1": "iso-8859-1",
    "latin-1": "iso-8859-1",
    "ascii": "us-ascii",
}

_SNIFF_BYTES = 4096
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECL_TEXT = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A body as text, with how it was read."""

    text: str
    encoding: str  # display name of the codec used
    garbled: bool = False  # every candidate showed mojibake: the text must not be published
    repaired: bool = False  # double-encoded UTF-8 was decoded back
    signs: tuple[str, ...] = ()  # the mojibake signatures of the garbled text
    tried: tuple[str, ...] = ()  # codecs tried, in order

    @property
    def reason(self) -> str:
        """Why a garbled body was refused, in words."""
        return (
            f"garbled text: every encoding tried ({', '.join(self.tried) or 'none'}) gives mojibake "
            f"({', '.join(self.signs)})"
        )


def decode_document(content: bytes, declared_charset: str | None, *, is_xml: bool) -> Decoded:
    """Read ``content`` as text, judging each candidate encoding on the letters it yields.

    ``declared_charset`` is the HTTP header's charset (or None); ``is_xml``
    selects which in-document declaration to read (XML declaration for
    feeds, ``<meta charset>`` for pages). The BOM, if any, is not part of the
    text. Never raises: a body no candidate reads cleanly comes back with
    ``garbled`` set.
    """
    tried: list[str] = []
    garbled: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    for codec, text in _candidates(content, declared_charset, is_xml=is_xml, seen=seen):
        tried.append(display_name(codec))
        counts = count_letters(readable_text(text))
        signs = mojibake_signs(counts)
        if not signs:
            return _second_opinion(content, text, codec, counts, tried)
        garbled.append((codec, text, signs))
    for codec, text, _signs in garbled:  # no plain reading is clean: was it decoded wrongly and saved so?
        for repaired in double_encoding_repairs(text):
            if not mojibake_signs(count_letters(readable_text(repaired))):
                return Decoded(repaired, display_name(codec), repaired=True, tried=tuple(tried))
    # charset-normalizer last: slow, and a guess. Not at all when a Unicode codec read the bytes strictly:
    # valid UTF-8 (or UTF-16/32 by BOM or pattern) is never an accident, so the text is that, garbled.
    guess = None if any(codec in UNICODE_CODECS for codec, _, _ in garbled) else _detected(content, seen)
    if guess is not None:
        codec, text = guess
        tried.append(display_name(codec))
        counts = count_letters(readable_text(text))
        if not mojibake_signs(counts):
            return _second_opinion(content, text, codec, counts, tried)
    if not garbled:
        return Decoded(content.decode("utf-8", errors="replace"), "utf-8", garbled=True,
                       signs=("undecodable",), tried=tuple(tried))
    codec, text, signs = garbled[0]
    return Decoded(text, display_name(codec), garbled=True, signs=tuple(signs), tried=tuple(tried))


def decode_body(content: bytes, declared_charset: str | None, *, is_xml: bool) -> tuple[str, str]:
    """``(text, encoding used)`` of ``decode_document``, for callers that take garbled text as it is."""
    decoded = decode_document(content, declared_charset, is_xml=is_xml)
    return decoded.text, decoded.encoding


def null_pattern_codec(head: bytes) -> str | None:
    """UTF-16 or UTF-32 (and which byte order) told by the pattern of their high bytes, for text without a BOM.

    In UTF-32 the two top bytes of every character are zero; in UTF-16 the
    high byte of every character of an alphabetic script is below 0x20 (0x00
    for ASCII markup, 0x06 for Arabic, 0x04 for Cyrillic), while text in
    UTF-8 or a single-byte codec has no zero bytes at all and almost no
    bytes below 0x20.
    """
    quads = len(head) // 4
    if quads < 4 or head.count(0) < len(head) // 64:
        return None
    zeros = [sum(head[i] == 0 for i in range(offset, quads * 4, 4)) / quads for offset in range(4)]
    if zeros[2] > 0.9 and zeros[3] > 0.9 and zeros[0] < 0.5:
        return "utf-32-le"
    if zeros[0] > 0.9 and zeros[1] > 0.9 and zeros[3] < 0.5:
        return "utf-32-be"
    pairs = quads * 2
    low = [sum(byte < 0x20 for byte in head[offset : pairs * 2 : 2]) / pairs for offset in (0, 1)]
    if low[1] > 0.9 and low[0] < 0.5:
        return "utf-16-le"
    if low[0] > 0.9 and low[1] < 0.5:
        return "utf-16-be"
    return None


def document_charset(content: bytes, *, is_xml: bool) -> str | None:
    """The encoding the document declares about itself, or None.

    Feeds: the XML declaration. Pages: ``<meta charset>`` / ``http-equiv`` in the first 4 KiB, then
    an XML declaration (XHTML).
    """
    head = content[:_SNIFF_BYTES]
    if not is_xml:
        meta = _META_CHARSET.search(head)
        if meta:
            label = meta.group(1).decode("ascii")
            # A page that can be read as ASCII is not UTF-16, whatever its <meta> says (WHATWG rule).
            return "utf-8" if label.lower().startswith(("utf-16", "utf-32")) else label
    decl = _XML_DECL.match(head)
    return decl.group(1).decode("ascii") if decl else None


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if any."""
    if not value:
        return None
    match = _HEADER_CHARSET.search(value)
    return match.group(1) if match else None


def to_utf8_xml(text: str) -> bytes:
    """Encode decoded feed text as UTF-8 bytes whose XML declaration says so.

    Handing feedparser the original bytes would let it re-decode them with
    the (possibly lying) declaration; handing it UTF-8 with the declaration
    rewritten keeps the decoding we chose.
    """
    text = text.removeprefix("\ufeff")
    text = _XML_DECL_TEXT.sub(r"\g<1>\g<2>utf-8\g<2>", text, count=1)
    return text.encode("utf-8")


def display_name(codec: str) -> str:
    """A conventional name for a codec (``cp1256`` -> ``windows-1256``)."""
    return DISPLAY_NAMES.get(codec, codec)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _candidates(
    content: bytes, declared_charset: str | None, *, is_xml: bool, seen: set[str]
) -> Iterator[tuple[str, str]]:
    """``(codec, text)`` for every candidate that decodes strictly, most trusted first, each codec once
    (the codecs tried are added to ``seen``)."""
    tried = seen

    def attempt(label: str | None, data: bytes = content) -> Iterator[tuple[str, str]]:
        codec = _codec(label)
        if codec is None or codec in tried:
            return
        tried.add(codec)
        text = _strict(data, codec)
        if text is not None:
            yield codec, text

    for bom, codec in BOMS:
        if content.startswith(bom):
            yield from attempt(codec, content[len(bom) :])
            break
    yield from attempt(null_pattern_codec(content[:_SNIFF_BYTES]))
    yield from attempt(document_charset(content, is_xml=is_xml))
    yield from attempt(declared_charset)
    for label in ARABIC_PREFERENCE:
        yield from attempt(label)


def _detected(content: bytes, seen: set[str]) -> tuple[str, str] | None:
    """charset-normalizer's guess, when it is a codec not tried yet and decodes strictly."""
    best = charset_normalizer.from_bytes(content).best()
    codec = _codec(best.encoding) if best is not None and best.encoding else None
    if codec is None or codec in seen:
        return None
    text = _strict(content, codec)
    return (codec, text) if text is not None else None


def _second_opinion(content: bytes, text: str, codec: str, counts: Letters, tried: list[str]) -> Decoded:
    """A clean reading in a codec that cannot carry Arabic, unless an Arabic codec reads the same bytes as Arabic."""
    if codec not in ARABIC_CAPABLE and counts.non_ascii_letters >= 20:
        for arabic_codec in ARABIC_SINGLE_BYTE:
            other = _strict(content, arabic_codec)
            if other is None:
                continue
            other_counts = count_letters(readable_text(other))
            if not mojibake_signs(other_counts) and other_counts.arabic >= 0.8 * counts.non_ascii_letters:
                return Decoded(other, display_name(arabic_codec), tried=(*tried, display_name(arabic_codec)))
    return Decoded(text, display_name(codec), tried=tuple(tried))
