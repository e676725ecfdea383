"""Decode fetched bytes to text, correctly even when the HTTP header lies.

Arabic news sites still serve windows-1256 and ISO-8859-6, often behind a
server whose default ``Content-Type`` says UTF-8 or ISO-8859-1. The order
of trust is:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. what the document says about itself (XML declaration, HTML ``<meta>``);
3. the charset of the HTTP ``Content-Type`` header;
4. detection, trying the Arabic encodings first (UTF-8, windows-1256,
   ISO-8859-6) and then charset-normalizer.

A candidate is accepted only if it decodes strictly *and* the text does not
look like mojibake (see ``looks_garbled``): windows-1256 bytes decode
"successfully" as Latin-1, and ISO-8859-6 bytes as windows-1256, so a clean
decode alone proves nothing.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

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
# Friendlier names for what we report; everything else keeps Python's codec name.
DISPLAY_NAMES: dict[str, str] = {
    "utf-8": "utf-8",
    "cp1256": "windows-1256",
    "iso8859-6": "iso-8859-6",
    "cp1252": "windows-1252",
    "iso8859-1": "iso-8859-1",
    "ascii": "us-ascii",
}

_SNIFF_BYTES = 4096
_GARBLE_SAMPLE = 100_000  # characters examined by looks_garbled
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECL_TEXT = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def decode_body(content: bytes, declared_charset: str | None, *, is_xml: bool) -> tuple[str, str]:
    """Return ``(text, encoding used)`` for a fetched body.

    ``declared_charset`` is the HTTP header's charset (or None); ``is_xml``
    selects which in-document declaration to read (XML declaration for
    feeds, ``<meta charset>`` for pages). The BOM, if any, is not part of the
    returned text. Never raises: the last resort is UTF-8 with replacement
    characters.
    """
    for bom, codec in BOMS:
        if content.startswith(bom):
            text = _strict(content[len(bom) :], codec)
            if text is not None:
                return text, display_name(codec)

    tried: set[str] = set()
    candidates = [document_charset(content, is_xml=is_xml), declared_charset, *ARABIC_PREFERENCE]
    for label in candidates:
        codec = _codec(label)
        if codec is None or codec in tried:
            continue
        tried.add(codec)
        text = _strict(content, codec)
        if text is not None and not looks_garbled(text):
            return text, display_name(codec)

    best = charset_normalizer.from_bytes(content).best()
    if best is not None and best.encoding:
        text = _strict(content, best.encoding)
        if text is not None and not looks_garbled(text):
            return text, display_name(_codec(best.encoding) or best.encoding)
    return content.decode("utf-8", errors="replace"), "utf-8"


def document_charset(content: bytes, *, is_xml: bool) -> str | None:
    """The encoding the document declares about itself, or None.

    Feeds: the XML declaration (and the UTF-16 pattern of ``<?`` without a
    BOM). Pages: ``<meta charset>`` / ``http-equiv`` in the first 4 KiB, then
    an XML declaration (XHTML).
    """
    head = content[:_SNIFF_BYTES]
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be"
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


def looks_garbled(text: str) -> bool:
    """Heuristic: does this text look like bytes decoded with the wrong codec?

    Four signatures, measured on letters so markup does not dilute it:
    - replacement characters or C1 control characters (never in real text);
    - Arabic letters mixed with Latin-1 accented letters: ISO-8859-6 read as
      windows-1256 turns و into è, ه into ç, ي into ê;
    - a flood of ط and ظ: UTF-8 Arabic read as windows-1256 (every lead byte
      0xD8/0xD9 becomes one of them);
    - mostly Latin-1 accented letters: Arabic or UTF-8 bytes read as Latin-1.
    """
    if "\ufffd" in text:
        return True
    if len(text) > _GARBLE_SAMPLE:  # the signatures are frequencies: windows spread over the text keep them
        window = _GARBLE_SAMPLE // 4
        step = (len(text) - window) // 3
        text = "".join(text[start : start + window] for start in range(0, 4 * step, step))
    c1 = latin = arabic = ta_za = letters = 0
    for char in text:
        code = ord(char)
        if code < 0x80:
            letters += char.isalpha()
            continue
        if 0x80 <= code <= 0x9F:
            c1 += 1
        elif 0xC0 <= code <= 0xFF and code not in (0xD7, 0xF7):
            latin += 1
            letters += 1
        elif 0x0600 <= code <= 0x06FF:
            letters += char.isalpha()
            arabic += 1
            ta_za += char in "طظ"
        elif char.isalpha():
            letters += 1
    if c1 >= 3:
        return True
    if arabic >= 20 and latin >= 3 and latin / (arabic + latin) > 0.04:
        return True
    if arabic >= 20 and ta_za / arabic > 0.25:
        return True
    return letters >= 20 and latin / letters > 0.3


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
