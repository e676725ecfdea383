"""extract_article on the sample pages: the article stays, the site furniture goes."""

import pytest

from marsad.producers.pages.decoding import decode_body
from marsad.producers.pages.reader import (
    ExtractionFailed,
    ExtractOptions,
    extract_article,
    markup_language,
)
from marsad.producers.samples import SITE_DIR

BOILERPLATE = ["اترك تعليقاً", "الأكثر قراءة", "شارك على فيسبوك", "شارك على واتساب", "جميع الحقوق محفوظة",
               "المقال السابق", "الخبر التالي", "للتصحيح أو تقديم شكوى", "Leave a comment", "Most read", "Share on Facebook"]

PAGES = [
    # path, a sentence of the article, expected language
    pytest.param("horan-today/article/20241112-daraa-captagon-nassib.html", "جرى نقل المضبوطات إلى مقر اللواء في مدينة بصرى الشام", "ar", id="horan-windows-1256-tables"),
    pytest.param("sawt-alfurat/news/2024/11/irgc-redeploy-bukamal.html", "ونقلت أسلحة وذخائر إلى منازل ومستودعات داخل حي الجمعيات", "ar", id="sawt-alfurat-wordpress"),
    pytest.param("al-rafidain/news/anbar-captagon-seizure.html", "جنوب قضاء الرطبة", "ar", id="al-rafidain-bootstrap"),
    pytest.param("al-mashriq/news/2024/11/13/us-strikes-bukamal-mayadin.html", "في حقلي العمر وكونيكو", "ar", id="al-mashriq-json-ld"),
    pytest.param("levant-monitor/2024/11/us-strikes-albukamal.html", "CENTCOM said nine targets were hit", "en", id="levant-monitor-english"),
]


@pytest.mark.parametrize(("path", "sentence", "language"), PAGES)
def test_sample_pages(path: str, sentence: str, language: str) -> None:
    html, _ = decode_body((SITE_DIR / path).read_bytes(), None, is_xml=False)
    article = extract_article(html, "http://news.test/" + path)
    assert sentence in article.text
    assert not [b for b in BOILERPLATE if b in article.text]
    assert article.language == language
    assert article.title and article.date and article.date.startswith("2024-11-1")
    assert "\n" in article.text  # paragraphs are lines


def test_same_page_extracts_identically_every_time() -> None:
    """Deduplication state must not leak between pages (republished stories would lose text)."""
    html, _ = decode_body((SITE_DIR / "al-mashriq/news/2024/11/12/daraa-captagon-seizure.html").read_bytes(), None, is_xml=False)
    results = {extract_article(html, "http://news.test/a").text for _ in range(5)}
    assert len(results) == 1


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty page"),
        ("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", "no main text|too little text"),
        ("<html><body><article><p>خبر قصير جداً لا يكفي.</p></article></body></html>", "no main text|too little text"),
    ],
    ids=["empty", "navigation-only", "too-short"],
)
def test_nothing_usable_is_a_typed_failure(html: str, reason: str) -> None:
    with pytest.raises(ExtractionFailed, match=reason):
        extract_article(html, "http://news.test/x", ExtractOptions(min_chars=200))


def test_markup_language() -> None:
    assert markup_language('<!doctype html><html dir="rtl" lang="ar-SY"><head>') == "ar"
    assert markup_language("<html><head>") is None
