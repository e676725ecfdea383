"""decode_body: the right text even when the header or the document lies."""

import codecs

import pytest

from marsad.producers.feeds.parse import parse_feed
from marsad.producers.pages.decoding import (
    charset_from_content_type,
    decode_body,
    decode_document,
    null_pattern_codec,
    to_utf8_xml,
)
from marsad.producers.pages.mojibake import looks_garbled

ARABIC = "ضبط 3 ملايين حبة كبتاغون في ريف درعا الشرقي قرب الحدود الأردنية، واعتقال شخصين من أبناء المنطقة."
# Letters where windows-1256 and ISO-8859-6 disagree (ف ق ك غ و ه ي ...), so a wrong guess shows.
ARABIC_8859 = "وقال مصدر محلي إن الشحنة كانت مخبأة داخل خزان مياه زراعي وفق مصادر في المنطقة الجنوبية."


def page(text: str, meta: str = "", title: str = "خبر") -> str:
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{text}</p></body></html>"


def feed(text: str, encoding: str | None) -> str:
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    return f"{decl}<rss version=\"2.0\"><channel><title>{text}</title></channel></rss>"


CASES = [
    # id, bytes, header charset, is_xml, expected encoding, expected text fragment
    pytest.param(codecs.BOM_UTF8 + page(ARABIC).encode(), "iso-8859-1", False, "utf-8", ARABIC, id="utf8-bom-beats-header"),
    pytest.param(codecs.BOM_UTF16_LE + page(ARABIC).encode("utf-16-le"), None, False, "utf-16-le", ARABIC, id="utf16-bom"),
    pytest.param(page(ARABIC).encode("cp1256"), "utf-8", False, "windows-1256", ARABIC, id="cp1256-labelled-utf8-no-meta"),
    pytest.param(
        page(ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">').encode("cp1256"),
        "utf-8",
        False,
        "windows-1256",
        ARABIC,
        id="meta-beats-lying-header",
    ),
    pytest.param(
        page(ARABIC, '<meta charset="utf-8">').encode("cp1256"), "utf-8", False, "windows-1256", ARABIC, id="meta-and-header-both-lie"
    ),
    pytest.param(page(ARABIC_8859).encode("iso8859-6"), "windows-1256", False, "iso-8859-6", ARABIC_8859, id="iso-8859-6-labelled-cp1256"),
    pytest.param(page(ARABIC_8859).encode("iso8859-6"), None, False, "iso-8859-6", ARABIC_8859, id="iso-8859-6-unlabelled"),
    pytest.param(page(ARABIC).encode("utf-8"), "iso-8859-1", False, "utf-8", ARABIC, id="utf8-labelled-latin1"),
    pytest.param(page(ARABIC).encode("utf-8"), "windows-1256", False, "utf-8", ARABIC, id="utf8-labelled-cp1256"),
    pytest.param(page(ARABIC).encode("cp1256"), "iso-8859-1", False, "windows-1256", ARABIC, id="cp1256-labelled-latin1"),
    pytest.param(feed(ARABIC, "windows-1256").encode("cp1256"), "utf-8", True, "windows-1256", ARABIC, id="xml-declaration-beats-header"),
    pytest.param(feed(ARABIC, "utf-8").encode("cp1256"), None, True, "windows-1256", ARABIC, id="xml-declaration-lies"),
    pytest.param(feed(ARABIC, "windows-1256").encode("utf-8"), None, True, "utf-8", ARABIC, id="xml-says-cp1256-but-is-utf8"),
    pytest.param(feed(ARABIC, None).encode("iso8859-6"), None, True, "iso-8859-6", ARABIC, id="xml-iso-8859-6-no-declaration"),
    pytest.param(page("Café crème à Genève", title="News").encode("latin-1"), "iso-8859-1", False, "iso-8859-1", "Café crème", id="honest-latin1"),
    pytest.param(page("Plain English news", title="News").encode("ascii"), None, False, "utf-8", "Plain English", id="ascii"),
]


@pytest.mark.parametrize(("content", "header", "is_xml", "encoding", "fragment"), CASES)
def test_decode_body(content: bytes, header: str | None, is_xml: bool, encoding: str, fragment: str) -> None:
    text, used = decode_body(content, header, is_xml=is_xml)
    assert used == encoding
    assert fragment in text
    assert not text.startswith("\ufeff")


def test_decode_body_never_raises_on_garbage() -> None:
    text, used = decode_body(bytes(range(256)) * 4, "no-such-charset", is_xml=False)
    assert isinstance(text, str) and used


GARBLED = [
    pytest.param(ARABIC, False, id="arabic"),
    pytest.param("Breaking news from Deir ez-Zor.", False, id="english"),
    pytest.param("Médecins Sans Frontières " + ARABIC, False, id="arabic-with-a-french-name"),
    pytest.param(ARABIC.encode("utf-8").decode("cp1256"), True, id="utf8-read-as-cp1256"),
    pytest.param(ARABIC.encode("cp1256").decode("latin-1"), True, id="cp1256-read-as-latin1"),
    pytest.param(ARABIC_8859.encode("iso8859-6").decode("cp1256"), True, id="8859-6-read-as-cp1256"),
    pytest.param(ARABIC.encode("utf-8").decode("latin-1"), True, id="utf8-read-as-latin1"),
    pytest.param("text with \ufffd\ufffd\ufffd replacements", True, id="replacement-chars"),
    pytest.param("one stray \ufffd in a long enough line of otherwise good text", False, id="one-stray-replacement-char"),
]


@pytest.mark.parametrize(("text", "garbled"), GARBLED)
def test_looks_garbled(text: str, garbled: bool) -> None:
    assert looks_garbled(text) is garbled


def test_to_utf8_xml_rewrites_the_declaration() -> None:
    out = to_utf8_xml("\ufeff" + feed(ARABIC, "windows-1256"))
    assert out.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert ARABIC.encode("utf-8") in out


def test_feedparser_keeps_our_decoding_of_a_cp1256_feed() -> None:
    item = f"<item><title>{ARABIC}</title><link>/a.html</link></item>"
    raw = feed(ARABIC, "utf-8").replace("</channel>", item + "</channel>").encode("cp1256")
    parsed = parse_feed(raw, "http://feeds.example/rss.xml")
    assert parsed.title == ARABIC and parsed.entries[0].title == ARABIC


@pytest.mark.parametrize(
    ("value", "charset"),
    [("text/html; charset=UTF-8", "UTF-8"), ('text/xml;charset="windows-1256"', "windows-1256"), ("text/html", None), (None, None)],
)
def test_charset_from_content_type(value: str | None, charset: str | None) -> None:
    assert charset_from_content_type(value) == charset


RUSSIAN = "Министерство сообщило, что колонна с гуманитарной помощью прибыла в город утром во вторник."
FRENCH = "La réunion s'est tenue à Genève, où les délégués ont présenté un rapport détaillé sur les convois."
ENGLISH_WITH_ARABIC = "The banner above the checkpoint read: " + ARABIC


HONEST_AND_LYING = [
    # id, bytes, header charset, expected encoding, expected text
    pytest.param(page(RUSSIAN, title="Новости").encode("cp1251"), "windows-1251", "windows-1251", RUSSIAN, id="honest-cp1251-russian"),
    pytest.param(page(FRENCH, title="Nouvelles").encode("cp1252"), "windows-1252", "windows-1252", FRENCH, id="honest-cp1252-french"),
    pytest.param(page(ARABIC).encode("cp1256"), "windows-1251", "windows-1256", ARABIC, id="cp1256-labelled-cyrillic"),
    pytest.param(page(ENGLISH_WITH_ARABIC, title="News").encode("cp1256"), "iso-8859-1", "windows-1256",
                 ENGLISH_WITH_ARABIC, id="english-page-with-arabic-quote-labelled-latin1"),
]


@pytest.mark.parametrize(("content", "header", "encoding", "text"), HONEST_AND_LYING)
def test_honest_labels_kept_lying_ones_overruled(content: bytes, header: str, encoding: str, text: str) -> None:
    decoded = decode_document(content, header, is_xml=False)
    assert (decoded.encoding, decoded.garbled) == (encoding, False)
    assert text in decoded.text


@pytest.mark.parametrize(("codec", "expected"), [
    ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"), ("utf-32-le", "utf-32-le"), ("utf-32-be", "utf-32-be"),
    ("utf-8", None), ("cp1256", None),
])
def test_null_pattern_tells_utf16_and_utf32_without_bom(codec: str, expected: str | None) -> None:
    assert null_pattern_codec(page(ARABIC).encode(codec)) == expected


def test_garbled_result_says_what_was_tried() -> None:
    twice = "".join(chr(b) for b in ARABIC.encode("utf-8").decode("cp1256").encode("utf-8")).encode("utf-8")
    decoded = decode_document(page(twice.decode("utf-8")).encode("utf-8"), "utf-8", is_xml=False)
    assert decoded.garbled and decoded.reason.startswith("garbled text: every encoding tried (utf-8")
