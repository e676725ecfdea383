"""The README's "Run marsad on your own feeds", step by step, on the real broker and real services.

Two outlets of the test's own on 127.0.0.1 (an RSS and an Atom feed, Arabic
pages): their OPML is imported, the feeds are listed and tried, only
127.0.0.1/32 is allowed (no MARSAD_ALLOW_PRIVATE), `marsad up` runs the poller,
fetcher, worker, views and API, and the four articles end in
`marsad query articles` and in the API the dashboard reads (`GET /articles`).
A rules file extending the default is back-tested over what was processed;
with an own taxonomy in force the back-test warns once that the log was
classified with another, and `marsad replay --reprocess` settles it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import orjson
import pytest

from tests.deploy.own_feeds_site import OwnFeedsSite
from tests.deploy.services_site import Pipeline, wait_for

pytestmark = pytest.mark.kafka

SKIP = ("--skip", "alerter", "--skip", "deliver")  # the back-test reads the log itself
OWN_RULES = """\
extends: default
rules:
  - id: daraa-checkpoints
    title: هجوم على حاجز في درعا
    severity: warning
    places: [{name: درعا}]
    text: {any: [حاجز*]}
"""
OWN_TAXONOMY = """\
extends: default
topics:
  water:
    name: المياه والخدمات
    terms:
      strong: [مياه الشرب, محطات الضخ]
"""
WATER_RULES = """\
extends: default
rules:
  - id: water-cuts
    title: انقطاع المياه
    severity: info
    topics: [water]
"""


@pytest.fixture
def outlets(kafka_bootstrap: str, tmp_path: Path) -> Iterator[tuple[Pipeline, OwnFeedsSite]]:
    site = OwnFeedsSite()
    data = tmp_path / "data"
    p = Pipeline(kafka_bootstrap, f"test-own-{tmp_path.name[-6:]}", data, data / "feeds.yaml",
                 MARSAD_ALLOW_NETWORKS="127.0.0.1/32")
    del p.env["MARSAD_ALLOW_PRIVATE"]  # the README's way: only the local network named
    try:
        yield p, site
    finally:
        p.marsad("down", check=False)
        site.close()


def titles_in(text: str, site: OwnFeedsSite) -> bool:
    return all(title in text for title in site.titles)


def test_own_feeds_from_opml_to_the_query_api(outlets, tmp_path):
    p, site = outlets
    # 1. import the subscriptions: DATA_DIR/feeds.yaml, ids from the addresses
    out = p.marsad("feeds", "import", str(site.opml(tmp_path / "my-outlets.opml")), "--interval", "5").stdout
    assert "2 added" in out, out
    listing = p.marsad("feeds", "list").stdout
    assert "127-0-0-1 " in listing and "127-0-0-1-2" in listing and "never" in listing, listing
    # 2. try a feed before it goes live: its entries, nothing published
    tried = p.marsad("feeds", "try", "127-0-0-1-2").stdout
    assert "2 entries, HTTP 200" in tried and "افتتاح جسر جديد يربط ضفتي الموصل" in tried, tried
    # 3. run the services; the articles reach the views
    p.marsad("up", *SKIP)
    ps = p.ps()
    assert all(ps[name]["ready"] for name in ("poller", "fetcher", "worker-1", "views", "api")), ps
    wait_for("the four articles in `marsad query articles`",
             lambda: titles_in(p.marsad("query", "articles", "--json", check=False).stdout, site), 80, 2.0,
             p.report)
    # 4. the API the dashboard reads
    with urlopen(f"http://127.0.0.1:{p.env['MARSAD_API_PORT']}/articles?limit=50", timeout=10) as r:
        assert r.status == 200 and titles_in(r.read().decode(), site)
    daraa = p.marsad("query", "articles", "--place", "درعا", "--json").stdout
    assert "هجوم على حاجز أمني في ريف درعا الشرقي" in daraa and "ميناء أم قصر" not in daraa
    # 5. the feeds' state after their polls, and a reset
    rows = [x for x in p.marsad("feeds", "list").stdout.splitlines() if x.startswith("127-0-0-1")]
    assert len(rows) == 2 and not any("never" in row for row in rows), rows  # both polled, both had news
    assert p.marsad("feeds", "reset", "127-0-0-1").returncode == 0
    # 6. own rules on top of the default ones, back-tested on what was processed
    rules = tmp_path / "my-rules.yaml"
    rules.write_text(OWN_RULES, encoding="utf-8")
    done = p.marsad("alerts", "backtest", str(rules))
    line = next(x for x in done.stdout.splitlines() if x.startswith("daraa-checkpoints"))
    assert line.split()[-1] == "1", done.stdout
    assert "another taxonomy" not in done.stderr, done.stderr
    # 7. an own taxonomy: the log was classified with the default one, the back-test says so once
    taxonomy = tmp_path / "my-taxonomy.yaml"
    taxonomy.write_text(OWN_TAXONOMY, encoding="utf-8")
    (tmp_path / "water.yaml").write_text(WATER_RULES, encoding="utf-8")
    p.env["MARSAD_TAXONOMY"] = str(taxonomy)
    done = p.marsad("alerts", "backtest", str(tmp_path / "water.yaml"))
    warnings = [x for x in done.stderr.splitlines() if x.startswith("warning:")]
    assert len(warnings) == 1 and "4 of 4 article(s) were classified with another taxonomy" in warnings[0], done.stderr
    assert "marsad replay --reprocess" in warnings[0]
    assert len(orjson.loads(p.marsad("alerts", "backtest", "--json", str(tmp_path / "water.yaml")).stdout)
               ["taxonomies"]) == 1
    # 8. reprocess with it: no warning, and the rule on the new topic finds the water cuts
    p.marsad("replay", "--reprocess", "--no-progress")
    done = p.marsad("alerts", "backtest", str(tmp_path / "water.yaml"))
    assert "warning:" not in done.stderr, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("water-cuts"))
    assert line.split()[-1] == "1" and "أزمة مياه الشرب" in done.stdout, done.stdout
