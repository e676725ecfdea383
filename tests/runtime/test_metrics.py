"""Reading an exposition text back (what `marsad ps` and the drills do with /metrics)."""

from __future__ import annotations

import pytest

from marsad.runtime import metrics
from marsad.runtime.metrics import parse_figures


def test_exposition_text_is_read_back_as_figures():
    text = ('# HELP marsad_feeds_polled_total Feed polls.\n# TYPE marsad_feeds_polled_total counter\n'
            'marsad_feeds_polled_total 3.0\nmarsad_consumer_lag{topic="t.articles.processed"} 0.0\n')
    assert parse_figures(text) == {"marsad_feeds_polled_total": 3.0,
                                   'marsad_consumer_lag{topic="t.articles.processed"}': 0.0}


def test_this_process_figures_read_back_by_name_and_labels():
    metrics.CONSUMER_LAG.labels(topic="t.read-back").set(7)
    figures = parse_figures(metrics.render()[0].decode())
    assert figures['marsad_consumer_lag{topic="t.read-back"}'] == 7.0
    assert "marsad_last_event_timestamp_seconds" in figures


def test_a_page_that_is_not_metrics_is_refused():
    with pytest.raises(ValueError):
        parse_figures("<html><body>not metrics</body></html>\n")
