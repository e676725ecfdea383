"""The polling benchmark on a handful of sources: every kind's made-up documents poll as that kind should."""

from __future__ import annotations

import argparse

import pytest

from benchmarks.bench_producers import measure_polling, parse_mix


@pytest.mark.parametrize(("text", "expected"), [
    ("rss=400,sitemap=200,page=200,telegram=200", {"rss": 400, "sitemap": 200, "page": 200, "telegram": 200}),
    (" telegram=3 , rss=1,", {"telegram": 3, "rss": 1}),
    ("page=2,page=3", {"page": 5}),
], ids=["default", "spaces-and-trailing-comma", "repeated-kind-adds-up"])
def test_a_mix_reads_as_counts_by_kind(text: str, expected: dict[str, int]) -> None:
    assert parse_mix(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("blog=3", "unknown kind 'blog'"),
    ("rss=many", "whole number"),
    ("rss=0", "names no source"),
], ids=["unknown-kind", "not-a-number", "nothing"])
def test_a_bad_mix_is_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_mix(text)


def test_each_kind_polls_with_entries_then_answers_from_its_state() -> None:
    args = argparse.Namespace(feeds=3, mix={"rss": 2, "sitemap": 2, "page": 2, "telegram": 2}, items=5,
                              servers=1, connections=4)

    results = dict(measure_polling(args))

    assert list(results) == ["RSS only", "mix together", "  rss alone", "  sitemap alone", "  page alone",
                             "  telegram alone"]
    for label, (first, second) in results.items():
        assert {outcome.status for outcome in first.outcomes} == {"ok"}, label
        assert all(outcome.entries for outcome in first.outcomes), label
        assert not any(outcome.entries for outcome in second.outcomes), label
    second = {(o.feed_id.split("-")[0], o.status) for o in results["mix together"][1].outcomes}
    # an index is read again (its children answer 304); the other kinds answer 304 themselves
    assert second == {("rss", "not_modified"), ("sitemap", "ok"), ("page", "not_modified"),
                      ("telegram", "not_modified")}
    assert all(o.counts.get("too old") for o in results["  sitemap alone"][0].outcomes)  # the urlset runs back a month
    channels = results["  telegram alone"][0]
    assert channels.requests == 3 * len(channels.outcomes)  # three preview pages on a first poll
    assert all(o.counts.get("too short") and o.counts.get("edited") for o in channels.outcomes)
