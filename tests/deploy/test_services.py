"""`marsad up / ps / down` on the real broker with real processes, and the kill -9 drills.

One pipeline for the whole module (they are costly on 2 cores): a site whose
feed grows when the test says, `marsad up` (poller, fetcher, worker, views, API),
then, in order: every service ready; each service killed with SIGKILL while a
batch of articles is in flight, and restarted by the supervisor (ps: restarts
1); once the stream ends, the invariant (every discovered article is in the views exactly once or
in a dead-letter topic with its reason), lag back to 0 and live figures on
/metrics; `marsad down` leaves no process.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.deploy.services.state import alive
from tests.deploy.services_site import GrowingSite, Pipeline, wait_for

pytestmark = pytest.mark.kafka

KILLED = ("poller", "fetcher", "worker-1", "views", "api")
BATCH = 4  # released before each kill
DURING = 2  # released right after each kill, while the service is down or restarting
N = len(KILLED) * (BATCH + DURING) + 4  # articles in the stream: enough for every kill, and some after
MISSING = (5,)  # page 5 is missing (a dead letter)
# The alert services (#8) are tested with their own commands; here: the article pipeline.
SKIP = ("--skip", "alerter", "--skip", "deliver")


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pipeline, GrowingSite]]:
    tmp = tmp_path_factory.mktemp("services")
    site = GrowingSite(N, missing=MISSING)
    p = Pipeline(kafka_bootstrap, f"test-svc-{tmp.name[-6:]}", tmp / "data", site.write_registry(tmp / "feeds.yaml"))
    try:
        out = p.marsad("up", *SKIP)
        assert "poller" in out.stdout and "fetcher" in out.stdout and "worker-1" in out.stdout, out.stdout
        yield p, site
    finally:
        p.marsad("down", check=False)
        site.close()


def test_up_starts_every_service_and_ps_shows_them_ready(pipeline):
    p, _ = pipeline
    rows = p.ps()
    assert list(rows) == ["poller", "fetcher", "worker-1", "views", "api"]
    for name, row in rows.items():
        assert row["state"] == "running" and alive(row["pid"]), (name, row)
        assert row["ready"] is True and row["restarts"] == 0, (name, row)
    for port in ("MARSAD_PRODUCER_METRICS_PORT", "MARSAD_FETCHER_METRICS_PORT", "MARSAD_WORKER_WEB_PORT",
                 "MARSAD_VIEWS_METRICS_PORT", "MARSAD_API_PORT"):
        assert "marsad_last_event_timestamp_seconds" in p.metrics(port), port


def test_kill_9_of_each_service_mid_stream_is_restarted(pipeline):
    p, site = pipeline
    for name in KILLED:
        # mid-stream: a batch is released, and the kill comes once its first article reaches the views
        seen = len(p.view_rows())
        site.release(BATCH)
        wait_for(f"the views to grow past {seen} before killing {name}", lambda s=seen: len(p.view_rows()) > s,
                 120, 0.2, p.logs)
        killed = p.kill(name)
        site.release(DURING)  # a restarted worker meets these while it waits for its dead predecessor's session
        row = wait_for(f"{name} restarted", lambda n=name, k=killed: (r := p.ps()[n])["restarts"] == 1
                       and r["state"] == "running" and r["pid"] != k and r, 90, 0.5, p.logs)
        assert row["last_exit"] == "killed by SIGKILL"
    log = (p.data_dir / "logs" / "supervisor.log").read_text()
    for name in KILLED:
        assert f"{name} (pid" in log and "killed by SIGKILL" in log


def test_every_article_is_in_the_views_once_or_dead_lettered_and_lag_returns_to_0(pipeline):
    p, site = pipeline
    site.release(N)

    p.assert_each_article_once_or_dead_lettered(N, MISSING)
    verdicts = collections.Counter(p.view_duplicates().values())
    assert verdicts["near"] >= 2, verdicts  # the re-published stories were recognised

    lags = wait_for("lag 0 in ps", lambda: (r := p.ps())["worker-1"]["lag"] == 0 and r["views"]["lag"] == 0
                    and r["fetcher"]["lag"] == 0 and r, 120, 2.0, p.logs)
    assert lags["poller"]["lag"] is None and lags["api"]["lag"] is None
    worker = p.metrics("MARSAD_WORKER_WEB_PORT")
    assert worker['marsad_articles_processed_total{stage="streams"}'] >= 1
    assert worker['marsad_processing_latency_seconds_count{stage="streams"}'] >= 1
    wait_for("the worker's lag gauge at 0", lambda: all(
        v == 0 for k, v in p.metrics("MARSAD_WORKER_WEB_PORT").items() if k.startswith("marsad_consumer_lag")), 30)
    views = p.metrics("MARSAD_VIEWS_METRICS_PORT")
    assert views['marsad_articles_processed_total{stage="views"}'] >= 1
    wait_for("the views' lag gauge at 0", lambda: (m := p.metrics("MARSAD_VIEWS_METRICS_PORT"))
             .get(f'marsad_consumer_lag{{topic="{p.topics.processed}"}}') == 0 and m, 30)
    producer = p.metrics("MARSAD_PRODUCER_METRICS_PORT")
    assert producer["marsad_feeds_polled_total"] >= 1 and "marsad_pages_fetched_total" in producer


def test_down_stops_everything_and_leaves_no_process(pipeline):
    p, _ = pipeline
    pids = p.pids()
    out = p.marsad("down")
    assert "stopped" in out.stdout
    assert not [pid for pid in pids if alive(pid)]
    assert p.marsad("ps", check=False).returncode == 1
    assert not (Path(p.data_dir) / "services" / "supervisor.pid").exists()
