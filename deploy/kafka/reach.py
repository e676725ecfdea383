"""Which Kafka marsad's settings mean: the configured cluster, or the local broker or cluster in the data dir.

Every client is built from `connection_for(settings)` (what `Settings.kafka`
gives): the configured servers with the configured security, or, when none
are configured, the local Kafka as its own files describe it (one broker,
plaintext or secured, or the nodes of a local cluster). `local_kafka` gives
the local Kafka to start, stop or inspect. ``settings`` is a
`deploy.settings.Settings` (not imported: the settings import this module).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deploy.kafka.cluster import LocalCluster, cluster_size, is_cluster
from deploy.kafka.connection import KafkaConnection, security_from_settings
from deploy.kafka.local import BrokerError, LocalKafka, local_security


def connection_for(settings: Any) -> KafkaConnection:
    """The cluster of ``settings``: the configured one with its security settings, or the local broker
    with the security it was started with (plaintext, or SASL_SSL after ``marsad kafka start --secure``),
    or every node of the local cluster (``marsad kafka start --brokers 3``)."""
    if settings.kafka_bootstrap_servers:
        return KafkaConnection(settings.kafka_bootstrap_servers, security_from_settings(settings))
    return local_connection(settings)  # the local broker's own files say how to reach it


def local_kafka(settings: Any, brokers: int | None = None) -> LocalKafka | LocalCluster:
    """The local Kafka of ``settings``' data dir: a `LocalKafka`, or a `deploy.kafka.cluster.LocalCluster`
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


def local_connection(settings: Any) -> KafkaConnection:
    """How clients reach the local Kafka of ``settings``: every node of a local cluster, else the one broker
    with the security it was started with."""
    home = Path(settings.data_dir) / "kafka"
    brokers = cluster_size(home)
    if brokers > 1:
        return KafkaConnection(",".join(f"127.0.0.1:{settings.kafka_port + 2 * i}" for i in range(brokers)))
    return KafkaConnection(settings.bootstrap_servers, local_security(home))
