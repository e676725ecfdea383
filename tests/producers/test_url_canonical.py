import pytest

from marsad.producers.urls import InvalidURL, absolutise, article_id, canonical_url, is_tracking_param

CANONICAL = [
    pytest.param("HTTPS://Www.Example.COM/News", "https://www.example.com/News", id="lower-scheme-and-host-not-path"),
    pytest.param("https://example.com:443/a", "https://example.com/a", id="https-default-port-dropped"),
    pytest.param("http://example.com:80/a", "http://example.com/a", id="http-default-port-dropped"),
    pytest.param("http://example.com:8080/a", "http://example.com:8080/a", id="other-port-kept"),
    pytest.param("https://example.com", "https://example.com/", id="empty-path-is-slash"),
    pytest.param("https://example.com/a#comments", "https://example.com/a", id="fragment-dropped"),
    pytest.param(
        "https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=syria",
        "https://example.com/a",
        id="utm-removed",
    ),
    pytest.param(
        "https://example.com/a?id=7&fbclid=IwAR0x&gclid=abc&mc_cid=1&mc_eid=2",
        "https://example.com/a?id=7",
        id="click-ids-and-mailchimp-removed",
    ),
    pytest.param("https://example.com/a?ref=twitter&ref_src=twsrc&p=2", "https://example.com/a?p=2", id="ref-removed"),
    pytest.param("https://example.com/a?b=2&a=1&c=", "https://example.com/a?a=1&b=2&c=", id="params-sorted-blank-kept"),
    pytest.param("https://example.com/a?UTM_Source=x&q=1", "https://example.com/a?q=1", id="tracking-case-insensitive"),
    pytest.param("http://موقع.سوريا/أخبار", "http://xn--4gbrim.xn--mgbtf8fl/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1", id="idn-host-arabic-path"),
    pytest.param("https://example.com/%d8%a3%7e", "https://example.com/%D8%A3~", id="escapes-upper-unreserved-decoded"),
    pytest.param("https://example.com./a", "https://example.com/a", id="trailing-dot-host"),
    pytest.param("  https://example.com/a  ", "https://example.com/a", id="surrounding-spaces"),
    pytest.param("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x", id="ipv6-literal"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for case in CANONICAL:
        once = canonical_url(case.values[0])
        assert canonical_url(once) == once


@pytest.mark.parametrize(
    "variant",
    [
        "https://horan.example/article/1.html",
        "HTTPS://HORAN.example:443/article/1.html",
        "https://horan.example/article/1.html?utm_source=facebook&fbclid=xyz",
        "https://horan.example/article/1.html#share",
    ],
    ids=["plain", "case-and-port", "tracking", "fragment"],
)
def test_article_id_same_for_spellings_of_one_article(variant: str) -> None:
    assert article_id(variant) == article_id("https://horan.example/article/1.html")


def test_article_id_is_short_hex_and_distinguishes_articles() -> None:
    first = article_id("https://horan.example/article/1.html")
    assert len(first) == 16 and int(first, 16) >= 0
    assert first != article_id("https://horan.example/article/2.html")
    assert first != article_id("https://horan.example/article/1.html?page=2")


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a", "/relative/path", "http://", "mailto:desk@example.com", "javascript:alert(1)", "http://x:abc/",
     "http://[::1/x"],
    ids=["ftp", "relative", "no-host", "mailto", "javascript", "bad-port", "unclosed-ipv6"],
)
def test_canonical_url_rejects_non_http(url: str) -> None:
    with pytest.raises(InvalidURL):
        canonical_url(url)


def test_tracking_params_and_absolutise() -> None:
    assert is_tracking_param("utm_content") and is_tracking_param("fbclid") and not is_tracking_param("id")
    assert absolutise("http://h.example/feeds/rss.xml", " /news/1.html ") == "http://h.example/news/1.html"
