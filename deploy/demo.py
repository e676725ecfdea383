"""The main job on embedded defaults (README's first command: `make run` = `marsad up --demo`).

Order:
1. serve the bundled sample site and a sample webhook (it checks signatures)
   on 127.0.0.1;
2. `marsad up` with this run's own topic prefix (``demo-YYYYMMDD-HHMMSS``, so
   every run starts from an empty log), the sample feeds, the sample webhook
   and views of its own: the local broker, the topics, then every service as
   its own supervised process (poller, fetcher, worker, alerter, delivery,
   views, API);
3. import the bundled JSONL articles and the shared seeds when present;
4. wait until every feed entry is fetched (or dead-lettered), every article
   processed, every consumer caught up and every alert event delivered;
5. print a summary read back from the log: articles, duplicates, topics,
   places with coordinates, organisations, seizures, incidents, alerts by severity;
6. print the commands to explore further, then `marsad down` (with --keep:
   keep running until Ctrl-C or `marsad down`), leaving nothing behind.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click

from marsad.runtime.kafka.connection import Kafka, KafkaConnection
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.settings import Settings, as_environment
from marsad.schemas.wire import SEVERITIES

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "producers" / "samples"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"  # the real articles the project grew from, when beside it
WAIT_SECONDS = 180


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_site(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; return the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, name="demo-site", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def run_demo(settings: Settings, *, keep: bool, seeds: Path, workers: int = 1) -> None:
    """`marsad up --demo`: the whole pipeline as supervised services on the bundled samples."""
    from marsad.deploy.services.control import ServicesError, down, up
    from marsad.deploy.services.state import Paths, supervisor_pid
    from marsad.runtime.settings import load_settings

    t0 = time.monotonic()
    # The demo runs in a data dir of its own (broker, logs, views, feed state), beside the user's.
    home = settings.data_path / "demo"
    if supervisor_pid(Paths(home)):
        raise click.ClickException(f"the demo is already running (MARSAD_DATA_DIR={home} marsad ps); stop it with "
                                   f"MARSAD_DATA_DIR={home} marsad down")
    prefix = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
    work = home / "runs" / prefix
    work.mkdir(parents=True, exist_ok=True)
    from marsad.producers.feeds.state import FeedStateFile
    FeedStateFile(home).path.unlink(missing_ok=True)  # poll the sample feeds afresh: this run's topics are empty
    logging.getLogger("kafka").setLevel(logging.ERROR)  # the summary's reads are not worth kafka-python's warnings
    site, site_url = serve_site(SAMPLES / "site")
    hook = SampleWebhook(work / "webhook.jsonl")
    webhooks = work / "webhooks.yaml"
    webhooks.write_text(f"endpoints:\n  - name: demo-webhook\n    url: {hook.url}\n    secret_env: {SECRET_ENV}\n",
                        encoding="utf-8")
    # The services read their settings from the environment the supervisor passes on. The demo's
    # local broker listens on ports of its own, so it never meets a broker the user runs on the defaults.
    if not settings.kafka_bootstrap_servers:
        ports = as_environment(kafka_port=DEMO_KAFKA_PORT, kafka_controller_port=DEMO_KAFKA_PORT + 1)
        for name, port in ports.items():
            os.environ.setdefault(name, port)
    os.environ.update({
        **as_environment(data_dir=home, topic_prefix=prefix, feeds_file=SAMPLES / "feeds.yaml",
                         feeds_base_url=site_url, allow_private=True, per_host_interval=0.05,
                         alert_webhooks=webhooks, views_url=f"sqlite:///{work / 'views.sqlite'}"),
        SECRET_ENV: hook.secret})
    settings = load_settings(settings.config_file or None)
    started = False
    try:
        click.secho(f"1. services (topics under the prefix {prefix})", bold=True)
        try:
            up(settings, workers=workers, foreground=False, echo=lambda m: click.echo(_indent(m)))
        except ServicesError as e:
            raise click.ClickException(str(e)) from None
        started = True
        bootstrap = _bootstrap(settings)
        click.secho("2. import (sample JSONL and the shared seeds)", bold=True)
        imported = _import(bootstrap, prefix, [SAMPLES / "articles.jsonl", seeds])
        click.secho("3. processing (feeds polled, pages fetched, articles processed, alerts delivered)", bold=True)
        _wait_done(settings, bootstrap, prefix, hook, imported)
        click.secho("4. summary", bold=True)
        _summary(bootstrap, prefix)
        _alert_summary(bootstrap, prefix, hook)
        _explore(settings, prefix, work, keep)
        if keep:
            click.echo(f"\nready in {time.monotonic() - t0:.0f}s; running until Ctrl-C or `marsad down`")
            _wait_for_stop(settings)
    finally:
        if started:
            click.secho("stopping", bold=True)
            down(settings, echo=lambda m: click.echo(_indent(m)))
        hook.close()
        site.shutdown()
        site.server_close()
    click.echo(f"\ndone in {time.monotonic() - t0:.0f}s; nothing left running. The topics of this run are kept under "
               f"the prefix {prefix}, its views in {work}.")


SECRET_ENV = "MARSAD_DEMO_WEBHOOK_SECRET"
DEMO_KAFKA_PORT = 19192  # and 19193 for its controller: beside the default local broker's 19092/19093


class SampleWebhook:
    """A local webhook that checks each delivery's signature and records it once per idempotency key."""

    def __init__(self, log: Path) -> None:
        import secrets
        self.secret = secrets.token_hex(16)
        self.log = log
        self.keys: dict[str, str] = {}  # idempotency key -> event type
        self.bad = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_WebhookHandler, self))
        threading.Thread(target=self.server.serve_forever, name="demo-webhook", daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"

    def receive(self, headers: Any, body: bytes) -> int:
        from marsad.streams.alerts.delivery.signing import verify
        if not verify(self.secret.encode(), headers.get("X-Marsad-Timestamp", ""), headers.get("Idempotency-Key", ""),
                      body, headers.get("X-Marsad-Signature", "")):
            with self._lock:
                self.bad += 1
            return 401
        key = headers.get("Idempotency-Key", "")
        with self._lock:
            if key not in self.keys:
                self.keys[key] = headers.get("X-Marsad-Event", "")
                with self.log.open("ab") as f:
                    f.write(body + b"\n")
        return 200

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _WebhookHandler(BaseHTTPRequestHandler):
    def __init__(self, hook: SampleWebhook, *args: Any, **kwargs: Any) -> None:
        self.hook = hook
        super().__init__(*args, **kwargs)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.hook.receive(self.headers, body))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _indent(message: str) -> str:
    return "\n".join("   " + line for line in message.splitlines())


def _bootstrap(settings: Settings) -> KafkaConnection:
    from marsad.deploy.services.state import Paths, read_state
    state = read_state(Paths(settings.data_path).state_file) or {}
    return connection_for(settings).at(state.get("bootstrap") or settings.bootstrap_servers)


def _import(bootstrap: Kafka, prefix: str, paths: list[Path]) -> int:
    from marsad.producers.run_import import run_import
    published = 0
    for p in paths:
        if p.exists():
            report = run_import([p], bootstrap=bootstrap, prefix=prefix, progress=False)
            click.echo(f"   {p}: published {report.published}, rejected {len(report.rejected)}")
            published += report.published
    return published


def _counts(bootstrap: Kafka, prefix: str) -> dict[str, int]:
    from marsad.runtime.kafka.admin import list_topics
    return {i.name.removeprefix(prefix + "."): i.messages for i in list_topics(bootstrap, prefix)}


def _wait_done(settings: Settings, bootstrap: Kafka, prefix: str, hook: SampleWebhook, imported: int) -> None:
    """Until every feed entry is fetched (or dead-lettered), every article processed, every consumer caught up
    and every alert event on the log delivered to the sample webhook; twice in a row, to be sure."""
    from marsad.deploy.services.control import status
    deadline = time.monotonic() + WAIT_SECONDS
    settled, shown = 0, ""
    while settled < 2:
        c = _counts(bootstrap, prefix)
        fetched = c["articles.fetched"]
        processed = c["articles.processed"] + c["deadletter.streams"]
        alerts = _alert_keys(bootstrap, prefix) if c["alerts"] else set()
        rows = status(settings) or []
        lag = {r.name: r.lag for r in rows if r.lag is not None}  # None: not a consumer
        down = [r.name for r in rows if r.state != "running"]
        line = (f"   discovered {c['articles.discovered']}, fetched {fetched}, processed {processed}, "
                f"alert events {len(alerts)}, delivered {len(hook.keys)}")
        if line != shown:
            click.echo(line)
            shown = line
        done = (c["articles.discovered"] > 0 and fetched + c["deadletter.producers"] >= c["articles.discovered"]
                + imported and processed >= fetched and alerts <= hook.keys.keys()
                and all(v == 0 for v in lag.values()) and not down)
        settled = settled + 1 if done else 0
        if time.monotonic() > deadline:
            raise click.ClickException(f"not done after {WAIT_SECONDS}s (services not running: {down or 'none'}; "
                                       f"lag {lag}); see the logs in {settings.data_path / 'logs'}")
        time.sleep(1)


def _alert_keys(bootstrap: Kafka, prefix: str) -> set[str]:
    from marsad.runtime.kafka.read import read_all
    from marsad.schemas.topics import Topics
    from marsad.streams.alerts.delivery.signing import idempotency_key
    return {idempotency_key(e) for e in read_all(bootstrap, Topics(prefix).alerts)}


def _alert_summary(bootstrap: Kafka, prefix: str, hook: SampleWebhook) -> None:
    from marsad.runtime.kafka.read import read_all
    from marsad.schemas.events import AlertRaised
    from marsad.schemas.topics import Topics
    raised = [e for e in read_all(bootstrap, Topics(prefix).alerts) if isinstance(e, AlertRaised)]
    by = Counter(a.severity for a in raised)
    click.echo(f"   alerts: {len(raised)} raised (" + ", ".join(f"{s} {by[s]}" for s in SEVERITIES)
               + f"); {len(hook.keys)} alert events delivered to the sample webhook, each once, signatures valid"
               + (f" ({hook.bad} bad signatures!)" if hook.bad else ""))
    for a in sorted(raised, key=lambda a: SEVERITIES.index(a.severity))[:8]:
        headline = next((t for t in a.titles if t), a.title)  # an untitled article: the rule's title
        click.echo(f"     {a.severity:<8} {a.rule_id:<24} {headline[:60]} ({_outlets(len(a.sources))})")


def _outlets(n: int) -> str:
    return "1 outlet" if n == 1 else f"{n} outlets"


def _explore(settings: Settings, prefix: str, work: Path, keep: bool) -> None:
    data = f"MARSAD_DATA_DIR={settings.data_dir}"
    if not settings.kafka_bootstrap_servers:  # the demo's own broker, on its own ports
        data += f" MARSAD_KAFKA_PORT={settings.kafka_port} MARSAD_KAFKA_CONTROLLER_PORT={settings.kafka_controller_port}"
    env = f"{data} MARSAD_TOPIC_PREFIX={prefix} MARSAD_VIEWS_URL=sqlite:///{work / 'views.sqlite'}"
    api = f"http://{settings.api_host}:{settings.api_port}/"
    click.secho("5. explore", bold=True)
    if keep:
        click.echo(f"   dashboard and query API: {api}  (OpenAPI: {api}openapi.json)")
        click.echo(f"   {data} marsad ps     # the services, their lag and restarts ({data} marsad down stops them)")
    else:
        click.echo("   `marsad up --demo --keep` keeps everything running, with the dashboard at " + api)
    click.echo(f"   {env} marsad query articles --topic narcotics")
    click.echo(f"   {env} marsad query alerts")
    click.echo(f"   {env} marsad query incidents")
    click.echo(f"   {data} MARSAD_TOPIC_PREFIX={prefix} marsad alerts tail --from-beginning")
    click.echo(f"   {data} MARSAD_TOPIC_PREFIX={prefix} marsad alerts backtest")


def _wait_for_stop(settings: Settings) -> None:
    """Until SIGINT/SIGTERM here, or the supervisor stopped (`marsad down` elsewhere)."""
    from marsad.deploy.services.state import Paths, supervisor_pid
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1.0):
        if supervisor_pid(Paths(settings.data_path)) is None:
            return


def _summary(bootstrap: Kafka, prefix: str) -> None:
    from marsad.runtime.kafka.read import read_all
    from marsad.schemas.events import ArticleProcessed
    from marsad.schemas.topics import Topics

    articles = [e for e in read_all(bootstrap, Topics(prefix).processed) if isinstance(e, ArticleProcessed)]
    latest = {a.article_id: a for a in articles}.values()
    dups = Counter(a.duplicate.status for a in latest)
    topics = Counter(t.id for a in latest for t in a.topics)
    places = Counter((p.name, p.lat, p.lon, p.country) for a in latest for p in a.places)
    orgs = Counter(o.id for a in latest for o in a.orgs)
    seized = Counter()
    for a in latest:
        if a.duplicate.status == "original":
            for q in a.quantities:
                if q.item and not q.historical:  # a seizure the article recalls is not today's
                    seized[(q.item, q.unit)] += q.value
    c = _counts(bootstrap, prefix)
    click.echo(f"   articles {len(latest)}: {dups['original']} original, {dups['exact']} exact and "
               f"{dups['near']} near duplicates; dead letters: producers {c['deadletter.producers']}, "
               f"streams {c['deadletter.streams']}")
    click.echo("   topics: " + ", ".join(f"{k} {v}" for k, v in topics.most_common()))
    click.echo("   top places:")
    for (name, lat, lon, country), n in places.most_common(8):
        click.echo(f"     {n:>3}  {name} ({country}, {lat:.4f}, {lon:.4f})")
    click.echo("   organisations: " + ", ".join(f"{k} {v}" for k, v in orgs.most_common(10)))
    click.echo("   seizures (original stories only):")
    for (item, unit), total in seized.most_common():
        click.echo(f"     {item:<13} {total:>14,.0f} {unit}")
    _incident_summary(bootstrap, prefix)


def _incident_summary(bootstrap: Kafka, prefix: str) -> None:
    """The incidents fused across outlets: how many of each type, and the most reported ones."""
    from marsad.runtime.kafka.read import read_all
    from marsad.schemas.events import IncidentRecorded
    from marsad.schemas.topics import Topics

    latest: dict[str, IncidentRecorded] = {}
    for e in read_all(bootstrap, Topics(prefix).name("incidents")):
        if isinstance(e, IncidentRecorded) and e.revision >= getattr(latest.get(e.incident_id), "revision", 0):
            latest[e.incident_id] = e
    by_type = Counter(i.incident_type for i in latest.values())
    click.echo(f"   incidents {len(latest)}: " + ", ".join(f"{k} {v}" for k, v in by_type.most_common()))
    for i in sorted(latest.values(), key=lambda i: (-i.outlets, i.date or "", i.incident_id))[:6]:
        toll = ", ".join(f"{name} {n}" for name in ("killed", "injured", "arrested")
                         if (n := getattr(i, name)) is not None)
        where = i.place.name if i.place else "?"
        click.echo(f"     {i.incident_type:<12} {i.date or '(no date)':<10} {where:<14} "
                   f"{_outlets(i.outlets):<10} {toll}")
