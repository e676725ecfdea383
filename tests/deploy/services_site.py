"""A news site on 127.0.0.1 whose feed grows while the pipeline runs, and helpers for service tests.

`GrowingSite` serves an RSS 2.0 feed of the articles the test has released so
far (`release`), one HTML page per article (distinct ~1.5 KB Arabic texts from
the benchmark corpus); every ``near_every``-th article re-publishes an earlier
one with a changed sentence (a near duplicate) and ``missing`` pages answer 404
(dead letters). The test releases a batch, kills a service while the batch is
in flight, and so on: the stream runs while services die, and its end is known.

`Pipeline` runs `marsad up` on the test's broker, data dir, topic prefix
and free ports, and reads back what the invariant needs.
"""

from __future__ import annotations

import collections
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import orjson

from benchmarks.corpus import articles as corpus
from marsad.runtime.kafka.connection import Kafka, KafkaConnection, kafka_python_options
from marsad.runtime.kafka.read import read_all
from marsad.schemas.events import ArticleDiscovered, DeadLetter
from marsad.schemas.topics import Topics
from tests.deploy.local_site import HTML, LocalSite, article_page
from tests.support.ports import port_block

SERVICE_PORTS = ("MARSAD_WORKER_WEB_PORT", "MARSAD_ALERTER_WEB_PORT", "MARSAD_PRODUCER_METRICS_PORT",
                 "MARSAD_FETCHER_METRICS_PORT", "MARSAD_VIEWS_METRICS_PORT", "MARSAD_DELIVER_METRICS_PORT",
                 "MARSAD_API_PORT")


class GrowingSite(LocalSite):
    """An RSS feed (`/feed.xml`) of generated articles (`/a/N.html`) that grows as the test releases them."""

    def __init__(self, n: int, *, near_every: int = 7, missing: tuple[int, ...] = ()) -> None:
        self.n = n
        self.missing = set(missing)
        docs = corpus(n, size=1500, seed=11)
        for i in range(near_every, n, near_every):  # a near copy of an earlier article
            first = docs[i - near_every // 2]["text"]
            docs[i]["text"] = first.replace("\n", "\nوأضاف المصدر أن التحقيقات مستمرة.\n", 1)
        self.docs = docs
        self._released = 0
        super().__init__()
        self.start()

    def release(self, more: int) -> int:
        """Put ``more`` articles in the feed (the producer finds them at its next poll); return the total."""
        self._released = min(self.n, self._released + more)
        return self._released

    def released(self) -> int:
        return self._released

    def url(self, i: int) -> str:
        return f"{self.base}/a/{i}.html"

    def write_registry(self, path: Path) -> Path:
        path.write_text(f"feeds:\n  - id: growing\n    url: {self.base}/feed.xml\n    title: growing\n"
                        f"    interval: 5\n    language: ar\n", encoding="utf-8")
        return path

    def feed(self) -> bytes:
        now = format_datetime(datetime.now(UTC))
        items = "".join(
            f"<item><title>{escape(self.docs[i]['title'])}</title><link>{self.url(i)}</link>"
            f"<guid>{self.url(i)}</guid><pubDate>{now}</pubDate><description>{escape(self.docs[i]['title'])}"
            f"</description></item>" for i in range(self.released()))
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>growing</title>'
                f"<link>{self.base}/</link><description>test</description>{items}</channel></rss>").encode()

    def page(self, i: int) -> bytes | None:
        if i in self.missing or not 0 <= i < self.released():
            return None
        doc = self.docs[i]
        return article_page(doc["title"], doc["text"].splitlines(), "الرئيسية | أخبار")

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if path == "/feed.xml":
            return self.feed(), "application/rss+xml"
        if path.startswith("/a/") and path.endswith(".html") and path[3:-5].isdigit():
            return self.page(int(path[3:-5])), HTML
        return None, HTML


class Pipeline:
    """`marsad up` / `ps` / `down` as a user runs them, on this test's broker, prefix, data dir and ports."""

    def __init__(self, bootstrap: Kafka, prefix: str, data_dir: Path, feeds: Path, **extra: str) -> None:
        self.data_dir = data_dir
        self.topics = Topics(prefix)
        self.bootstrap = bootstrap
        cluster = bootstrap.environment() if isinstance(bootstrap, KafkaConnection) else {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap}  # a secured cluster's settings too (tests/deploy/test_secure_kafka.py)
        self.env = {**os.environ, **cluster, "MARSAD_TOPIC_PREFIX": prefix,
                    "MARSAD_DATA_DIR": str(data_dir), "MARSAD_FEEDS": str(feeds), "MARSAD_PARTITIONS": "2",
                    "MARSAD_ALLOW_PRIVATE": "1", "MARSAD_PER_HOST_INTERVAL": "0", "MARSAD_FETCH_ATTEMPTS": "1",
                    "MARSAD_WORKER_SESSION_TIMEOUT": "10", "MARSAD_STOP_TIMEOUT": "30", **extra}
        self.env.pop("MARSAD_CONFIG", None)
        for name in SERVICE_PORTS:  # room after each for the instances beyond the first (worker-2 ...)
            self.env[name] = str(port_block(4))

    def marsad(self, *args: str, check: bool = True, timeout: float = 240) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-c", "from marsad.deploy.cli.main import main; main()", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"marsad {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
                                 f"\n{self.logs()}")
        return done

    def ps(self) -> dict[str, dict[str, Any]]:
        done = self.marsad("ps", "--json", check=False)
        return {row["name"]: row for row in orjson.loads(done.stdout or "[]")}

    def metrics(self, port_env: str) -> dict[str, float]:
        from urllib.request import urlopen

        from marsad.runtime.metrics import parse_figures
        with urlopen(f"http://127.0.0.1:{self.env[port_env]}/metrics", timeout=5) as r:
            return parse_figures(r.read().decode())

    def kill(self, name: str) -> int:
        """kill -9 the service ``name``; return the pid killed."""
        pid = self.ps()[name]["pid"]
        os.kill(pid, signal.SIGKILL)
        return pid

    def logs(self, tail: int = 3000) -> str:
        out = []
        for f in sorted((self.data_dir / "logs").glob("*.log")):
            out.append(f"--- {f.name}\n{f.read_text(errors='replace')[-tail:]}")
        return "\n".join(out)

    def pids(self) -> list[int]:
        """Every pid the supervisor ever recorded, itself included."""
        state = orjson.loads((self.data_dir / "services" / "state.json").read_bytes())
        return [state["supervisor_pid"], *(s["pid"] for s in state["services"] if s["pid"])]

    # -- the invariant ---------------------------------------------------------------------------------
    def discovered(self) -> set[str]:
        return {e.article_id for e in read_all(self.bootstrap, self.topics.discovered)
                if isinstance(e, ArticleDiscovered)}

    def dead_letters(self) -> dict[str, str]:
        out = {}
        for stage in ("producers", "streams", "consumers"):
            for e in read_all(self.bootstrap, self.topics.deadletter(stage)):
                if isinstance(e, DeadLetter) and e.key:
                    out[e.key] = e.reason
        return out

    def view_rows(self) -> list[str]:
        path = self.data_dir / "views" / "views.sqlite"
        if not path.exists():
            return []
        with sqlite3.connect(path) as db:
            try:
                return [r[0] for r in db.execute("SELECT article_id FROM articles")]
            except sqlite3.OperationalError:  # not migrated yet
                return []

    def settled(self, n: int) -> tuple[set[str], dict[str, str], set[str]] | None:
        """(discovered, dead letters, views) once all ``n`` articles are discovered and each is in the
        views or dead-lettered; None before."""
        discovered = self.discovered()
        if len(discovered) < n:
            return None
        dead, views = self.dead_letters(), set(self.view_rows())
        return (discovered, dead, views) if discovered <= views | set(dead) else None

    def assert_each_article_once_or_dead_lettered(self, n: int, missing: tuple[int, ...]) -> None:
        """The end-to-end invariant: wait until all ``n`` discovered articles are settled, then each is in
        the views exactly once or in the dead-letter topic, and the dead letters are the ``missing`` pages'
        404s."""
        discovered, dead, views = wait_for("every discovered article in the views or dead-lettered",
                                           lambda: self.settled(n), 240, 2.0, self.report)
        assert len(discovered) == n
        rows = self.view_rows()
        assert not [a for a, count in collections.Counter(rows).items() if count > 1]
        assert set(rows) <= discovered
        assert set(dead) == discovered - views and len(dead) == len(missing)
        assert all("404" in reason for reason in dead.values()), dead

    def report(self) -> str:
        """Where each article got to, for a failing test's message: topic by topic, then the logs."""
        from marsad.runtime.kafka.admin import list_topics
        discovered, dead, views = self.discovered(), self.dead_letters(), set(self.view_rows())
        fetched = {e.article_id for e in read_all(self.bootstrap, self.topics.fetched) if hasattr(e, "article_id")}
        processed = {e.article_id for e in read_all(self.bootstrap, self.topics.processed) if hasattr(e, "article_id")}
        missing = discovered - views - set(dead)
        counts = {i.name.removeprefix(self.topics.prefix + "."): i.messages
                  for i in list_topics(self.bootstrap, self.topics.prefix)}
        where = self._where(missing)
        return (f"{where}\ndiscovered {len(discovered)}, fetched {len(fetched)}, processed {len(processed)}, in the views "
                f"{len(views)}, dead letters {len(dead)}; missing {sorted(missing)}: fetched "
                f"{sorted(missing & fetched)}, processed {sorted(missing & processed)}\ntopics {counts}\n"
                f"ps {self.ps()}\n{self.logs()}")

    def _where(self, ids: set[str]) -> str:
        """Partition, offset and time of ``ids`` in articles.fetched, and the workers' committed offsets."""
        from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
        consumer = KafkaConsumer(**kafka_python_options(self.bootstrap), enable_auto_commit=False,
                                 auto_offset_reset="earliest", consumer_timeout_ms=3000)
        parts = [TopicPartition(self.topics.fetched, p) for p in consumer.partitions_for_topic(self.topics.fetched)]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        found = [f"{r.key.decode()} p{r.partition}@{r.offset} t={r.timestamp / 1000:.1f}" for r in consumer
                 if r.key and r.key.decode() in ids]
        consumer.close()
        admin = KafkaAdminClient(**kafka_python_options(self.bootstrap))
        committed = admin.list_group_offsets({self.topics.streams_app_id: None})
        admin.close()
        return f"missing in fetched: {found}; committed: {committed}"

    def view_duplicates(self) -> dict[str, str]:
        with sqlite3.connect(self.data_dir / "views" / "views.sqlite") as db:
            return dict(db.execute("SELECT article_id, dup_status FROM articles"))


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 1.0,
             on_fail: Callable[[], str] = lambda: "") -> Any:
    """Poll ``check`` until it returns something true; fail with ``what`` after ``timeout`` (a hang guard)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{on_fail()}")
        time.sleep(every)
