"""The back-test warns, in one line with counts, when the log was classified with another taxonomy."""

from __future__ import annotations

from collections import Counter

from marsad.streams.alerts.backtest import Report, taxonomy_warning
from marsad.streams.alerts.rules import load_rules


def report(**versions: int) -> Report:
    return Report(load_rules(), articles=sum(versions.values()), taxonomies=Counter(versions))


def test_no_warning_when_every_article_was_classified_with_the_taxonomy_in_force():
    assert taxonomy_warning(report(t1=40), "t1") is None
    assert taxonomy_warning(report(), "t1") is None


def test_one_line_with_the_counts_and_how_to_reprocess():
    line = taxonomy_warning(report(t1=40, t0=7, old=3), "t1")
    assert line is not None and "\n" not in line
    assert line.startswith("warning: 10 of 50 article(s) were classified with another taxonomy (old, t0)")
    assert "in force (t1)" in line and "marsad replay --reprocess" in line
