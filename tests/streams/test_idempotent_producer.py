"""Every producer marsad runs sends with acks=all and idempotence (issue #24): a retry across a broker's
fail-over is neither lost nor written twice. Faust turns idempotence on only in transactions; ours always."""

from __future__ import annotations

import pytest

from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.settings import load_settings
from marsad.streams.faust_app import faust_app
from marsad.streams.rebalance import IdempotentProducer


def test_faust_apps_produce_with_acks_all_and_idempotence(tmp_path):
    settings = load_settings(env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "MARSAD_DATA_DIR": str(tmp_path)})
    app = faust_app("test-idempotence", settings, datadir=tmp_path, web_port=free_port())
    producer = app.producer
    assert isinstance(producer, IdempotentProducer)
    options = {**producer._settings_default(), **producer._settings_extra()}
    assert (options["acks"], options["enable_idempotence"]) == ("all", True)


@pytest.mark.kafka
def test_the_event_publisher_produces_with_acks_all_and_idempotence(kafka_bootstrap):
    with EventPublisher(kafka_bootstrap) as publisher:
        config = publisher._producer.config
        assert config["acks"] in ("all", -1) and config["enable_idempotence"] is True
