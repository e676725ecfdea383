"""The local cluster's layout, ports, node properties and the replication new topics get (no broker started).

The cluster itself, started and failed over, is in tests/deploy/test_cluster_drills.py.
"""

from __future__ import annotations

import pytest

from marsad.deploy.kafka.cluster import LocalCluster
from marsad.deploy.kafka.local import BrokerError, LocalKafka
from marsad.deploy.kafka.reach import local_kafka
from marsad.runtime.kafka.admin import replication
from marsad.runtime.kafka.local_files import cluster_size, connection_for, is_cluster, local_connection
from marsad.runtime.settings import load_settings


def settings_for(tmp_path, **env: str):
    return load_settings(env={"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_KAFKA_PORT": "29092",
                              "MARSAD_KAFKA_CONTROLLER_PORT": "29093", **env})


def test_three_brokers_take_every_other_port_and_share_one_cluster_id(tmp_path):
    cluster = local_kafka(settings_for(tmp_path), brokers=3)
    assert isinstance(cluster, LocalCluster)
    assert cluster.bootstrap == "127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096"
    assert [(n.port, n.controller_port, n.node_id) for n in cluster.nodes] == [
        (29092, 29093, 1), (29094, 29095, 2), (29096, 29097, 3)]
    assert len({n.cluster_id for n in cluster.nodes}) == 1
    assert [n.home.name for n in cluster.nodes] == ["broker-1", "broker-2", "broker-3"]


def test_a_node_names_the_three_voters_and_replicates_the_internal_topics(tmp_path):
    node = local_kafka(settings_for(tmp_path), brokers=3).node(2)
    node.home.mkdir(parents=True)
    node._write_properties()
    props = dict(line.split("=", 1) for line in node.properties.read_text().splitlines()
                 if "=" in line and not line.startswith("#"))
    assert props["node.id"] == "2"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:29093,2@127.0.0.1:29095,3@127.0.0.1:29097"
    assert "controller.quorum.bootstrap.servers" not in props
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:29094,CONTROLLER://127.0.0.1:29095"
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "default.replication.factor"):
        assert props[key] == "3", key
    assert props["min.insync.replicas"] == props["transaction.state.log.min.isr"] == "2"


def test_a_single_broker_keeps_its_standalone_properties(tmp_path):
    broker = local_kafka(settings_for(tmp_path))
    assert type(broker) is LocalKafka
    broker.home.mkdir(parents=True)
    broker._write_properties()
    text = broker.properties.read_text()
    assert "node.id=1\n" in text and "controller.quorum.bootstrap.servers=127.0.0.1:29093\n" in text
    assert "offsets.topic.replication.factor=1\n" in text and "min.insync.replicas=1\n" in text


def test_the_data_dir_keeps_the_count_and_clients_bootstrap_from_every_node(tmp_path):
    settings = settings_for(tmp_path)
    cluster = local_kafka(settings, brokers=3)
    cluster._write_layout()
    assert is_cluster(cluster.home) and cluster_size(cluster.home) == 3
    assert isinstance(local_kafka(settings), LocalCluster)  # no --brokers: what the data dir holds
    assert local_connection(settings).servers == cluster.bootstrap
    assert connection_for(settings).servers == cluster.bootstrap
    assert local_kafka(settings).cluster_id == cluster.cluster_id
    with pytest.raises(BrokerError, match=r"has 3 brokers: run `marsad kafka reset --yes` first"):
        local_kafka(settings, brokers=1)


def test_a_single_brokers_data_is_not_turned_into_a_cluster(tmp_path):
    (tmp_path / "kafka" / "data").mkdir(parents=True)
    (tmp_path / "kafka" / "data" / "meta.properties").write_text("node.id=1\n")
    with pytest.raises(BrokerError, match="holds a single local broker's data"):
        local_kafka(settings_for(tmp_path), brokers=3)


def test_overlapping_ports_are_refused_in_one_line(tmp_path):
    with pytest.raises(BrokerError, match="ports overlap"):
        local_kafka(settings_for(tmp_path, MARSAD_KAFKA_CONTROLLER_PORT="29094"), brokers=3)


def test_a_secured_cluster_is_refused(tmp_path):
    with pytest.raises(BrokerError, match="--secure is for a single local broker"):
        local_kafka(settings_for(tmp_path), brokers=3).start(quiet=True, secure=True)


@pytest.mark.parametrize(("factor", "min_insync", "expected"), [
    (3, 0, (3, 2)), (1, 0, (1, 1)), (2, 0, (2, 1)), (3, 3, (3, 3)), (5, 0, (5, 4))])
def test_min_insync_replicas_defaults_to_one_less_than_the_replicas(factor, min_insync, expected):
    assert replication("127.0.0.1:1", factor, min_insync) == expected  # a given factor asks the cluster nothing


def test_replication_settings_default_to_the_clusters_size():
    settings = load_settings(env={})
    assert (settings.replication_factor, settings.min_insync_replicas) == (0, 0)
