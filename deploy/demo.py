"""The main job on embedded defaults (README's first command: `make run` = `marsad demo`).

Order:
1. start the local broker (unless KAFKA_BOOTSTRAP_SERVERS is set);
2. create the catalogue's topics under a prefix of this run's own
   (``demo-YYYYMMDD-HHMMSS``), so every run starts from an empty log;
3. start a stream worker (`marsad worker`) as its own process;
4. serve the bundled sample site on 127.0.0.1 and poll its feeds once
   (`producers.service.run_producer`, SSRF guard relaxed for loopback only);
5. import the bundled JSONL articles and the shared seeds when present;
6. wait until the worker has processed every fetched article;
7. print a summary read back from the topics: articles, duplicates, topics,
   places with coordinates, organisations, seizures;
8. stop the worker, the site and (unless --keep or it was already running)
   the broker, leaving nothing behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from deploy.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "producers" / "samples"
WAIT_SECONDS = 180


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_site(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; return the server and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, name="demo-site", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def start_worker(settings: Settings, bootstrap: str, work: Path) -> subprocess.Popen:
    from deploy.kafka.local import free_port
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": settings.topic_prefix,
           "MARSAD_PARTITIONS": str(settings.partitions), "MARSAD_DATA_DIR": str(work),
           "MARSAD_WORKER_WEB_PORT": str(free_port()), "MARSAD_LOG_LEVEL": "warning"}
    env.pop("MARSAD_CONFIG", None)
    with open(work / "worker.log", "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "deploy.cli", "worker"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_demo(settings: Settings, *, keep: bool, seeds: Path) -> None:
    from deploy.kafka.local import LocalKafka
    from deploy.topics import create_topics

    t0 = time.monotonic()
    local = LocalKafka.from_settings(settings) if settings.uses_local_broker else None
    was_running = local is not None and local.pid() is not None
    prefix = f"demo-{time.strftime('%Y%m%d-%H%M%S')}"
    settings = dataclasses.replace(settings, topic_prefix=prefix, allow_private=True, per_host_interval=0.05)
    with tempfile.TemporaryDirectory(prefix="marsad-demo-") as tmp:
        work = Path(tmp)
        worker = None
        try:
            click.secho("1. broker", bold=True)
            bootstrap = local.start().bootstrap if local else settings.bootstrap_servers
            click.secho(f"2. topics (prefix {prefix})", bold=True)
            create_topics(bootstrap, prefix, settings.partitions, settings.replication_factor)
            click.secho("3. stream worker", bold=True)
            worker = start_worker(settings, bootstrap, work)
            click.echo(f"   pid {worker.pid}, log {work / 'worker.log'}")
            click.secho("4. feeds (bundled sample site, served on 127.0.0.1)", bold=True)
            report = _produce(settings, bootstrap, work)
            click.echo(f"   {report.summary()}")
            click.secho("5. import", bold=True)
            _import(bootstrap, prefix, [SAMPLES / "articles.jsonl", seeds])
            click.secho("6. processing", bold=True)
            _wait_processed(bootstrap, prefix, worker, work)
            click.secho("7. summary", bold=True)
            _summary(bootstrap, prefix)
        finally:
            if worker is not None:
                stop_worker(worker)
            if local is not None and not keep and not was_running:
                local.stop(quiet=True)
                click.echo("local broker stopped (marsad demo --keep leaves it running)")
    click.echo(f"\ndone in {time.monotonic() - t0:.0f}s. The topics of this run are kept under the prefix {prefix}:"
               f"\n  marsad kafka start; MARSAD_TOPIC_PREFIX={prefix} marsad tail processed -n 3")


def _produce(settings: Settings, bootstrap: str, work: Path):
    from producers.cli import producer_config
    from producers.service import run_producer

    server, base = serve_site(SAMPLES / "site")
    try:
        config = producer_config(dataclasses.replace(settings, data_dir=str(work)), bootstrap=bootstrap,
                                 feeds_file=SAMPLES / "feeds.yaml", feeds_base_url=base)
        return asyncio.run(run_producer(config, once=True, handle_signals=False))
    finally:
        server.shutdown()
        server.server_close()


def _import(bootstrap: str, prefix: str, paths: list[Path]) -> None:
    from producers.run_import import run_import
    for p in paths:
        if p.exists():
            report = run_import([p], bootstrap=bootstrap, prefix=prefix, progress=False)
            click.echo(f"   {p}: published {report.published}, rejected {len(report.rejected)}")


def _counts(bootstrap: str, prefix: str) -> dict[str, int]:
    from deploy.topics import list_topics
    return {i.name.removeprefix(prefix + "."): i.messages for i in list_topics(bootstrap, prefix)}


def _wait_processed(bootstrap: str, prefix: str, worker: subprocess.Popen, work: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        c = _counts(bootstrap, prefix)
        done = c["articles.processed"] + c["deadletter.streams"]
        click.echo(f"\r   processed {done} of {c['articles.fetched']}", nl=False)
        if done >= c["articles.fetched"]:
            click.echo()
            return
        if worker.poll() is not None:
            raise click.ClickException(f"the worker stopped: see {work / 'worker.log'}:\n"
                                       + (work / "worker.log").read_text(errors="replace")[-2000:])
        if time.monotonic() > deadline:
            raise click.ClickException(f"not processed after {WAIT_SECONDS}s; see {work / 'worker.log'}")
        time.sleep(1)


def _summary(bootstrap: str, prefix: str) -> None:
    from deploy.inspect import read_all
    from schemas.events import ArticleProcessed
    from schemas.topics import Topics

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
                if q.item:
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
