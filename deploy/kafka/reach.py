"""The local Kafka of the data dir, to start, stop or inspect, and the cluster a command talks to.

`local_kafka` gives the local broker (or cluster) of the settings' data dir;
`ensure_broker` gives the cluster a command uses, starting the local one
when no cluster is configured. How a client reaches either is read from the
settings and the local broker's files by `marsad.runtime.kafka.local_files.connection_for`
(from the settings alone), so the services never import this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from marsad.deploy.kafka.cluster import LocalCluster
from marsad.deploy.kafka.jars import ToolMissing
from marsad.deploy.kafka.local import BrokerError, LocalKafka
from marsad.runtime.kafka.connection import KafkaConnection
from marsad.runtime.kafka.local_files import cluster_size, connection_for, is_cluster
from marsad.runtime.preflight import require_kafka
from marsad.runtime.settings import Settings


def local_kafka(settings: Any, brokers: int | None = None) -> LocalKafka | LocalCluster:
    """The local Kafka of ``settings``' data dir: a `LocalKafka`, or a `marsad.deploy.kafka.cluster.LocalCluster`
    when the data dir holds a cluster's layout or ``brokers`` asks for more than one node (the data dir
    keeps that choice; a different count is refused until `marsad kafka reset`)."""
    home = Path(settings.data_dir) / "kafka"
    size = cluster_size(home)
    if brokers and is_cluster(home) and brokers != size:
        raise BrokerError(f"the local cluster in {home} has {size} brokers: run `marsad kafka reset --yes` "
                          f"first to make {'a single broker' if brokers == 1 else f'one of {brokers}'}")
    count = brokers or size
    if count > 1:
        return LocalCluster.from_settings(settings, count)
    return LocalKafka.from_settings(settings)


def ensure_broker(settings: Settings, *, quiet: bool = False, secure: bool = False,
                  brokers: int | None = None) -> KafkaConnection:
    """The cluster to use (address and security); starts the local broker when it is the one in use.

    A configured cluster (KAFKA_BOOTSTRAP_SERVERS) must answer within
    ``kafka_connect_timeout`` seconds, over its TLS and SASL login when the
    security settings ask for them, else the command stops with one line
    (exit status 2) instead of the clients' retries and a traceback.
    ``secure``: a new local broker gets a SASL_SSL listener (`marsad kafka start --secure`);
    ``brokers``: a new local Kafka is a cluster of that many nodes (`marsad kafka start --brokers 3`).
    """
    if not settings.uses_local_broker:
        kafka = connection_for(settings)
        require_kafka(kafka, settings.kafka_connect_timeout)
        return kafka
    try:
        return local_kafka(settings, brokers).start(quiet=quiet, secure=secure).connection
    except (ToolMissing, BrokerError) as e:
        raise click.ClickException(str(e)) from e
    raise AssertionError("unreachable")
