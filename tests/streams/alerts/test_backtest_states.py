"""The back-test keeps its states as objects; the agent keeps them encoded. Both must decide the same."""

from __future__ import annotations

import random
from datetime import timedelta

import msgspec
import pytest

from benchmarks.bench_alerts import generated_rules
from benchmarks.corpus import articles
from marsad.schemas.events import ArticleFetched, Duplicate
from marsad.streams.alerts.backtest import as_json, replay
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.rules import parse_rules
from marsad.streams.extract.gazetteer.model import load_gazetteer
from marsad.streams.pipeline import process_fetched
from tests.streams.alerts.samples import T0, resources


@pytest.fixture(scope="module")
def routed():
    """A little log (stories, spike scopes, incidents; a burst at the end) routed under 60 generated rules."""
    res = resources()
    rules = parse_rules(generated_rules(60, res.taxonomy, seed=5), "test-rules.yaml", res.taxonomy, load_gazetteer())
    rng = random.Random(7)
    out = []
    for i, doc in enumerate(articles(150, seed=5)):
        a, _ = process_fetched(ArticleFetched(article_id=doc["id"], source=f"outlet-{i % 5}", title=doc["title"],
                                              text=doc["text"]), res)
        # ten quiet days, then a burst (spike rules need the history and the burst)
        at = T0 + (timedelta(hours=2.4 * i) if i < 100 else timedelta(days=10, minutes=6 * (i - 100)))
        a = msgspec.structs.replace(a, published=at, occurred_at=at)
        if i and rng.random() < 0.3:
            a = msgspec.structs.replace(a, duplicate=Duplicate("near", out[rng.randrange(i)][1].story.story_id, 0.8))
        out.append((a, route(a, rules)))
    return rules, [(r.story.article.at, r) for _, r in out]


@pytest.mark.parametrize("story_days", [30, 0], ids=["expiry", "no-expiry"])
def test_states_as_objects_decide_as_encoded_states(routed, story_days):
    rules, notes = routed
    fast = replay(notes, rules, story_days=story_days)
    encoded = replay(notes, rules, story_days=story_days, encoded=True)
    kinds = {a.kind for a in fast.alerts.values()}
    assert {"story", "spike"} <= kinds and fast.reports  # the log exercises every fold
    everything = len(fast.alerts)
    assert as_json(fast, since=None, until=None, examples=everything) == \
        as_json(encoded, since=None, until=None, examples=everything)
