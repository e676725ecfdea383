"""How clients reach the local Kafka that `marsad kafka start` keeps in the data dir, read from its files.

The local broker (or cluster) is started by the roof (`marsad.deploy.kafka`); what
a client needs to reach it is written on disk beside it, and read here:
``{data_dir}/kafka/cluster.json`` when it is a cluster of several nodes,
``{data_dir}/kafka/secure/password`` when its listener is SASL_SSL. So every
service builds its client from the settings alone (`connection_for`),
without importing the code that starts brokers.
"""

from __future__ import annotations

import json
from pathlib import Path

from marsad.runtime.kafka.connection import PLAINTEXT, KafkaConnection, KafkaSecurity, security_from_settings
from marsad.runtime.settings.declaration import Settings

LAYOUT = "cluster.json"  # a local cluster's layout file in {data_dir}/kafka
USER = "marsad"  # the SCRAM login of the secured local broker


def is_cluster(home: Path) -> bool:
    """Does the local Kafka of ``home`` (``{data_dir}/kafka``) have the layout of a cluster?"""
    return (home / LAYOUT).is_file()


def cluster_size(home: Path) -> int:
    """How many nodes the local cluster of ``home`` has (1: a single broker, or nothing yet)."""
    if not is_cluster(home):
        return 1
    return int(json.loads((home / LAYOUT).read_text())["brokers"])


def secure_dir(home: Path) -> Path:
    return home / "secure"


def is_secured(home: Path) -> bool:
    """Was the local broker of ``home`` made with the SASL_SSL listener?"""
    return (secure_dir(home) / "password").is_file()


def client_security(home: Path) -> KafkaSecurity:
    """How a client logs in to the secured local broker of ``home``."""
    d = secure_dir(home)
    return KafkaSecurity(protocol="SASL_SSL", mechanism="SCRAM-SHA-512", username=USER,
                         password_file=str(d / "password"), ca_file=str(d / "ca.pem"))


def local_security(home: Path) -> KafkaSecurity:
    """How clients log in to the local broker whose files are in ``home`` (plaintext unless secured)."""
    return client_security(home) if is_secured(home) else PLAINTEXT


def connection_for(settings: Settings) -> KafkaConnection:
    """The cluster of ``settings``: the configured one with its security
    settings, or the local broker with the security it was started with (plaintext, or SASL_SSL after
    ``marsad kafka start --secure``), or every node of the local cluster (``marsad kafka start --brokers 3``)."""
    if settings.kafka_bootstrap_servers:
        return KafkaConnection(settings.kafka_bootstrap_servers, security_from_settings(settings))
    return local_connection(settings)  # the local broker's own files say how to reach it


def local_connection(settings: Settings) -> KafkaConnection:
    """How clients reach the local Kafka of ``settings``: every node of a local cluster, else the one broker
    with the security it was started with."""
    home = Path(settings.data_dir) / "kafka"
    brokers = cluster_size(home)
    if brokers > 1:
        return KafkaConnection(",".join(f"127.0.0.1:{settings.kafka_port + 2 * i}" for i in range(brokers)))
    return KafkaConnection(settings.bootstrap_servers, local_security(home))
