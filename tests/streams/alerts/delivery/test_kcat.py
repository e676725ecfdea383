"""Any Kafka client can subscribe to one severity: Debian's kcat on the critical topic.

kcat (librdkafka) reads `{prefix}.alerts.critical` from the beginning to its
end and sees exactly the critical alert events (raised and updated), each
valid against the JSON Schema published in schemas/json/. Skipped when kcat
is not installed (.ci/run installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest

from marsad.schemas.codec import decode_obj
from marsad.schemas.jsonschema import JSON_DIR
from marsad.schemas.topics import Topics
from tests.streams.alerts.events import publish_alerts, raised, updated

pytestmark = pytest.mark.kafka

KCAT = shutil.which("kcat") or shutil.which("kafkacat")


@pytest.mark.skipif(KCAT is None, reason="kcat is not installed (apt-get install kcat)")
def test_kcat_on_the_critical_topic_sees_exactly_the_critical_alerts(kafka_bootstrap, kafka_topics):
    topics = Topics(kafka_topics)
    alerts = [raised(i, pills=3_000_000.0 if i % 3 == 0 else None) for i in range(9)]
    events = [*alerts, updated(alerts[0], 1), updated(alerts[1], 1), updated(alerts[3], 1), updated(alerts[0], 2)]
    publish_alerts(kafka_bootstrap, topics, events)
    run = subprocess.run([KCAT, "-C", "-b", kafka_bootstrap, "-t", topics.alerts_for("critical"), "-o", "beginning",
                          "-e", "-q", "-J"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    messages = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    schemas = {name: json.loads((JSON_DIR / f"{name}.v1.schema.json").read_text(encoding="utf-8"))
               for name in ("AlertRaised", "AlertUpdated")}
    seen = []
    by_key = {(type(e).__name__, e.alert_id, getattr(e, "revision", None)): e for e in events}
    for m in messages:
        payload = json.loads(m["payload"])
        jsonschema.validate(payload, schemas[payload["type"]], cls=jsonschema.Draft202012Validator)
        assert m["key"] == payload["rule_id"]
        seen.append((payload["type"], payload["alert_id"], payload.get("revision")))
        assert decode_obj(payload) == by_key[seen[-1]]  # every field intact, Arabic included
    expected = [(type(e).__name__, e.alert_id, getattr(e, "revision", None)) for e in events
                if e.severity == "critical"]
    assert sorted(seen, key=str) == sorted(expected, key=str)
    assert len(seen) == 3 + 3  # al0000, al0003, al0006 raised; al0000 twice and al0003 once updated
