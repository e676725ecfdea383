"""The Faust app settings the stream worker and the alert agent share.

Both are Faust apps of their own, each built by its factory with its agents
(`marsad.streams.app.create_app`, `marsad.streams.alerts.app.create_app`); this module
holds what they have in common (broker, store, producer batching, commits,
logs), so it cannot drift between them and importing it registers no agents.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import faust

from marsad.runtime.hosts import is_loopback
from marsad.runtime.kafka.admin import create_topics, replication
from marsad.runtime.kafka.connection import Kafka, KafkaConnection
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.logs import hold_kafka_repeats, logging_config
from marsad.runtime.settings import Settings
from marsad.streams.rebalance import RebalanceSafeApp, SafeTableManager


def broker_urls(bootstrap: str) -> str:
    return ";".join(f"kafka://{h.strip()}" for h in bootstrap.split(",") if h.strip())


def broker_credentials(kafka: KafkaConnection) -> faust.types.auth.CredentialsT | None:
    """Faust's form of the cluster's security settings (the same as every other client's, see
    runtime/kafka/connection.py): SASL with its TLS context, TLS alone, or None for plaintext."""
    sec = kafka.security
    if sec.sasl:
        return faust.SASLCredentials(username=sec.username, password=sec.secret(), ssl_context=sec.ssl_context(),
                                     mechanism=sec.mechanism)
    if sec.tls:
        return faust.SSLCredentials(sec.ssl_context())
    return None


def lz4_level(level: int) -> None:
    """Compress this process's lz4 batches at ``level`` (aiokafka fixes 9, LZ4-HC, Kafka's default).

    aiokafka compresses in the event loop's thread, at about 100 MB/s at level
    9 on this project's machine: for the worker, whose batches of articles
    cross the broker once per dedup partition, that was an eighth of its time.
    Level 1 (LZ4's fast mode) runs at about 1 GB/s; its output is larger
    (4.0 times smaller than the input instead of 6.1 on the benchmark's
    articles). Any lz4 reader reads either. Applies to the whole process.
    """
    import importlib

    from aiokafka import codec

    def encode(payload: bytes) -> bytes:
        return codec.lz4_encode(payload, level)

    for name in ("aiokafka.record.default_records", "aiokafka.record._crecords.default_records"):
        try:
            module = importlib.import_module(name)
        except ImportError:  # the C records are optional
            continue
        if hasattr(module, "lz4_encode"):
            module.lz4_encode = encode


def faust_app(app_id: str, settings: Settings, *, datadir: Path, web_port: int,
              max_batch_bytes: int = 256 * 1024) -> faust.App:
    """A Faust app on the configured cluster, with raw bytes in and out (our codec does the rest).

    ``max_batch_bytes``: the producer's batch for one partition. aiokafka keeps
    one request in flight to a broker, and a send that finds its partition's
    batch full waits for that request: an app sending large records (the
    worker's batches) wants batches that hold them. Only for apps whose
    topics all take 8 MiB messages (``marsad.schemas.topics.LARGE``).

    Faust's own ``/router/`` (the cluster's worker URLs) and ``/table/``
    (table contents) web views are served only while the web server listens
    on loopback: containers bind all interfaces for their health probes.
    """
    private_web = is_loopback(settings.worker_web_host)
    kafka = connection_for(settings)
    if settings.log_level != "debug":
        hold_kafka_repeats()  # aiokafka's reconnection errors while a broker is away, once per 30 s
    return RebalanceSafeApp(
        app_id,
        broker=broker_urls(kafka.servers),
        broker_credentials=broker_credentials(kafka),
        store=settings.worker_store,
        datadir=str(datadir),
        web_host=settings.worker_web_host,
        web_bind=settings.worker_web_host,
        web_port=web_port,
        web_router_enabled=private_web,
        web_tables_enabled=private_web,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor or 1,  # `marsad worker` resolves 0 (auto)
        topic_allow_declare=True,
        producer_acks=-1,  # and idempotence: streams/rebalance.py's IdempotentProducer
        producer_compression_type="lz4",
        producer_linger=0.01,  # batch sends: every message as its own acks=all request is slow
        producer_max_batch_size=max_batch_bytes,
        producer_max_request_size=8 * 1024 * 1024,
        consumer_max_fetch_size=8 * 1024 * 1024,
        key_serializer="raw",
        value_serializer="raw",
        table_standby_replicas=0,
        autodiscover=False,
        broker_commit_every=200,
        broker_commit_interval=1.0,
        broker_session_timeout=settings.worker_session_timeout,  # a dead member's partitions move after this
        stream_wait_empty=False,
        logging_config=logging_config(settings.log_level) if settings.log_format == "json" else None,
        TableManager=SafeTableManager,  # a rebalance must not drop records (streams/rebalance.py)
    )


def run_worker(create_app: Callable[[Settings], faust.App], settings: Settings, bootstrap: Kafka, name: str,
               args: Sequence[str]) -> None:
    """Run the app ``create_app`` builds as faust's own worker (its signal handling, graceful shutdown), once
    the catalogue's topics exist; Faust's own topics (its assignor's) get the replication factor the catalogue
    got. ``name`` is the command shown in faust's messages ("marsad worker"), ``args`` go to faust's worker."""
    s = settings
    create_topics(bootstrap, s.topic_prefix, s.partitions, s.replication_factor, s.min_insync_replicas)
    app = create_app(replace(s, replication_factor=s.replication_factor or replication(bootstrap)[0]))
    level = {"warning": "warn"}.get(s.log_level, s.log_level)  # faust's names for the levels
    keep_log_level(app, s.log_level)
    sys.argv = [name, "worker", "-l", level, *args]
    app.main()


def keep_log_level(app: faust.App, level: str) -> None:
    """Once ``app`` runs, put the root logger back to ``level``.

    Faust's start-up spinner sets the root logger to DEBUG (it spins once per
    record) and leaves it there: every debug call of Faust and mode then
    builds a record the handlers drop (one per message sent, about 7 % of the
    worker's event loop in a profile).
    """
    async def restore() -> None:
        logging.getLogger().setLevel(level.upper())

    app.task(restore)
