"""Pages of links are not articles: refused with a reason, cheaply, whatever their size."""

from __future__ import annotations

import pytest

from marsad.producers.http import Fetcher
from marsad.producers.pages.reader import ExtractionFailed, cap_markup, extract_article
from marsad.producers.poller import (
    ArticleFailure,
    DiscoveredEntry,
    FetchedArticle,
    PollOptions,
    fetch_article,
)
from tests.producers.scripted_server import Reply, ScriptedServer

ARTICLE = (
    "أعلنت مديرية الصحة في المحافظة افتتاح مركز جديد لعلاج الحروق في المستشفى الوطني، بعد أشهر من أعمال "
    "الترميم التي موّلتها منظمة محلية.",
    "وقال مدير المركز إن القسم يضم عشرين سريراً وغرفتي عمليات، وإنه سيستقبل المرضى من القرى المجاورة مجاناً "
    "خلال الأشهر الستة الأولى.",
    "وأشار إلى أن الكوادر الطبية تلقت تدريباً خاصاً على التعامل مع إصابات الحروق الشديدة، وأن المركز سيعمل على "
    "مدار الساعة.",
)


def link_farm(count: int) -> str:
    links = "".join(f'<li><a href="/tag/{i}">وسم رقم {i} من أرشيف الموقع</a></li>' for i in range(count))
    return f"<html lang='ar'><head><title>أرشيف الوسوم</title></head><body><ul>{links}</ul></body></html>"


def article_with_menu(menu_links: int) -> str:
    menu = "".join(f'<li><a href="/section/{i}">قسم {i}</a></li>' for i in range(menu_links))
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return (f"<html lang='ar'><head><title>افتتاح مركز للحروق</title></head><body><nav><ul>{menu}</ul></nav>"
            f"<main><article><h1>افتتاح مركز للحروق</h1>{body}</article></main></body></html>")


def headline_list(count: int) -> str:
    """Fewer links than a farm, inside <article>: the extractor returns them, the text check refuses them."""
    items = "".join(
        f'<p><a href="/n/{i}">تقرير رقم {i} عن الأوضاع الأمنية في ريف المحافظة الشرقي خلال الأسبوع الماضي</a></p>'
        for i in range(count)
    )
    return f"<html lang='ar'><head><title>آخر الأخبار</title></head><body><article>{items}</article></body></html>"


@pytest.mark.parametrize(("html", "words"), [
    pytest.param(link_farm(2_000), "the page is mostly links", id="farm-2000-links"),
    pytest.param(link_farm(100_000), "the page is mostly links", id="farm-100000-links-4mb"),
    pytest.param(headline_list(60), "of the text found is the page's link text", id="headline-list"),
])
def test_link_pages_refused(html: str, words: str) -> None:
    with pytest.raises(ExtractionFailed) as error:
        extract_article(html, "https://news.example/tags")
    assert error.value.reason.startswith("no article text") and words in error.value.reason


def test_article_behind_a_big_menu_is_kept() -> None:
    extracted = extract_article(article_with_menu(150), "https://news.example/ar/burns.html")
    assert ARTICLE[0] in extracted.text and "قسم 3" not in extracted.text


def test_cap_markup_drops_scripts_first_and_keeps_json_ld() -> None:
    ld = '<script type="application/ld+json">{"datePublished": "2025-03-01"}</script>'
    html = f"<html><head>{ld}<script>{'x' * 5000}</script></head><body><p>نص</p></body></html>"
    capped = cap_markup(html, 1000)
    assert ld in capped and "xxxx" not in capped and "<p>نص</p>" in capped
    assert cap_markup(html, 10_000) == html
    assert len(cap_markup("<p>" + "ا" * 5000 + "</p>" * 500, 1000)) <= 1000


async def fetch_page(server: ScriptedServer, local_options, name: str, html: str) -> ArticleFailure | FetchedArticle:
    """Serve ``html`` at ``name`` and fetch it as an announced article would be (one try)."""
    url = server.route(name, Reply(body=html.encode(), headers={"Content-Type": "text/html"}))
    entry = DiscoveredEntry(feed_id="f", article_id=name, url=url, link=url)
    async with Fetcher(local_options()) as fetcher:
        return await fetch_article(entry, fetcher, PollOptions(max_attempts=1))


@pytest.mark.anyio
async def test_link_farm_over_http_is_a_dead_letter(server: ScriptedServer, local_options) -> None:
    outcome = await fetch_page(server, local_options, "tags.html", link_farm(20_000))
    assert isinstance(outcome, ArticleFailure)
    assert (outcome.failure.stage, outcome.failure.kind) == ("extract", "no_text")
    assert outcome.failure.reason.startswith("no article text: the page is mostly links")


@pytest.mark.anyio
async def test_article_over_http_still_published(server: ScriptedServer, local_options) -> None:
    outcome = await fetch_page(server, local_options, "a.html", article_with_menu(150))
    assert isinstance(outcome, FetchedArticle) and ARTICLE[1] in outcome.text
