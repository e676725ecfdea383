"""The kind of source and the revision of articles through the query API (a real server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from marsad.consumers.store import Record, open_store
from tests.consumers.api.server import backend_views, start_api
from tests.consumers.factory import article, corpus


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request, tmp_path_factory) -> Iterator[httpx.Client]:
    url = backend_views(request, tmp_path_factory, "kinds")
    events = [*corpus(6), article(100, kind="telegram"), article(101, kind="sitemap"), article(102, kind="import"),
              article(100, kind="telegram", revision=2, title="خبر معدل من القناة")]
    with open_store(url) as s:
        s.setup()
        s.write_batch([Record("t", 0, i, e) for i, e in enumerate(events)])
    server = start_api(url, tmp_path_factory.mktemp("api-log") / "api.log")
    yield server.client
    server.stop()


def test_articles_carry_their_kind_and_filter_by_it(api):
    body = api.get("/articles", params={"kind": "telegram"}).json()
    (post,) = body["items"]
    assert (post["article_id"], post["kind"], post["edited"], post["revision"]) == ("a00100", "telegram", True, 2)
    assert post["title"] == "خبر معدل من القناة"  # the edit replaced the first version
    assert [it["kind"] for it in api.get("/articles", params={"kind": "sitemap"}).json()["items"]] == ["sitemap"]
    every = api.get("/articles", params={"limit": "50"}).json()["items"]
    assert len(every) == 9 and sum(it["kind"] is None for it in every) == 6  # processed before kinds were carried
    one = api.get("/articles/a00102").json()
    assert (one["kind"], one["edited"], one["revision"]) == ("import", False, 1)


def test_counts_by_kind_and_other_questions_filtered_by_it(api):
    by_kind = api.get("/counts", params={"by": "kind"}).json()["items"]
    assert {r["key"]: r["articles"] for r in by_kind} == {"unknown": 6, "telegram": 1, "sitemap": 1, "import": 1}
    topics = api.get("/counts", params={"by": "topic", "kind": "telegram"}).json()["items"]
    assert sum(r["articles"] for r in topics) == 1


def test_an_unknown_kind_is_a_clear_400(api):
    r = api.get("/articles", params={"kind": "email"})
    assert r.status_code == 400 and "kind must be one of rss, sitemap, page, telegram, import" in r.json()["message"]


def test_openapi_names_the_kinds(api):
    doc = api.get("/openapi.json").json()
    kind = next(p for p in doc["paths"]["/articles"]["get"]["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["rss", "sitemap", "page", "telegram", "import"]
    described = doc["components"]["schemas"]["Article"]["properties"]["kind"]  # generated: a kind, or null
    assert described["anyOf"] == [{"enum": sorted(kind["schema"]["enum"])}, {"type": "null"}]
