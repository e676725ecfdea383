"""The JSON log format reaches every service: each one started as `marsad up` starts it logs JSON lines.

Each service runs as its own process on the real broker with the JSON
format asked for (MARSAD_LOG_FORMAT=json, as the services supervisor passes
it, or ``marsad --log-format json``), until it has logged a JSON line from
its own code or from the framework it runs in (Faust's worker for the
stream worker and the alerter, aiohttp's server for the API); then it is
stopped. No line it wrote may be a text log line. Lines that are not log
records (a command's one-line notice, Faust's start-up banner) may be there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from marsad.consumers.store import default_url, open_store
from marsad.deploy.kafka.local import free_port
from tests.support.service_process import stop_process

pytestmark = pytest.mark.kafka

# our text format ("12:00:00 INFO    name: message") and Faust's and mode's ("[2026-01-31 12:00:00,000] [42] [INFO] ...")
TEXT_LOG = re.compile(r"^(\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL)\b"
                      r"|\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+\] \[\d+\] \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\])")

# service -> its command, and the logger whose JSON line shows the format reached where that service logs
SERVICES = {
    "poller": (("poll",), "marsad.producers"),
    "fetcher": (("fetch",), "marsad.producers"),
    "produce": (("produce",), "marsad.producers"),
    "worker": (("worker",), "faust"),
    "alerter": (("alerter",), "faust"),
    "deliver": (("alerts", "deliver"), "marsad.streams.alerts.delivery"),
    "views": (("views",), "marsad"),
    "api": (("api",), "marsad.consumers.api"),
}


def json_records(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict) and {"ts", "level", "logger", "msg"} <= record.keys():
            out.append(record)
    return out


def run_until_logged(cmd: list[str], env: dict[str, str], log: Path, logger: str, timeout: float = 90) -> str:
    """Run ``cmd`` until it logs a JSON line from ``logger`` (or a logger under it); stop it; its output."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if any(r["logger"] == logger or r["logger"].startswith(logger + ".")
                   for r in json_records(log.read_text(errors="replace"))):
                break
            time.sleep(0.3)
    finally:
        stop_process(proc, 60)
    return log.read_text(errors="replace")


@pytest.fixture
def service_env(kafka_bootstrap, kafka_topics, tmp_path) -> dict[str, str]:
    """The environment of a service: views that exist (the API opens them read-only), a webhook to deliver to."""
    store = open_store(default_url(str(tmp_path)))
    store.setup()
    store.close()
    webhooks = tmp_path / "webhooks.yaml"  # nothing listens there: no alert is sent
    webhooks.write_text(f"endpoints:\n  - name: hook\n    url: http://127.0.0.1:{free_port()}/hook\n"
                        "    secret_env: MARSAD_TEST_HOOK_SECRET\n", encoding="utf-8")
    return {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
            "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_PARTITIONS": "2", "MARSAD_ALERT_WEBHOOKS": str(webhooks),
            "MARSAD_TEST_HOOK_SECRET": "a-secret-for-this-test-only-0123456789"}


# every service as the supervisor starts it (MARSAD_LOG_FORMAT), and the stream apps with the option too: they
# are built from the settings the command line gives them, not from the environment
CASES = [*((service, "environment") for service in SERVICES), ("worker", "option"), ("alerter", "option")]


@pytest.mark.parametrize(("service", "how"), CASES, ids=[f"{s}-{h}" for s, h in CASES])
def test_every_service_logs_json(service_env, tmp_path, service, how):
    command, logger = SERVICES[service]
    env = {**os.environ, **service_env, "MARSAD_LOG_LEVEL": "info",
           "MARSAD_WORKER_WEB_PORT": str(free_port()), "MARSAD_ALERTER_WEB_PORT": str(free_port()),
           "MARSAD_API_PORT": str(free_port()), "MARSAD_PRODUCER_METRICS_PORT": str(free_port()),
           "MARSAD_FETCHER_METRICS_PORT": str(free_port()), "MARSAD_VIEWS_METRICS_PORT": str(free_port()),
           "MARSAD_DELIVER_METRICS_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
    env.pop("MARSAD_LOG_FORMAT", None)
    flags = ["--log-format", "json"] if how == "option" else []
    if how == "environment":
        env["MARSAD_LOG_FORMAT"] = "json"
    out = run_until_logged([sys.executable, "-m", "marsad.deploy.cli.main", *flags, *command], env,
                           tmp_path / f"{service}.log", logger)
    records = json_records(out)
    assert any(r["logger"] == logger or r["logger"].startswith(logger + ".") for r in records), \
        f"no JSON line from {logger}:\n{out[-3000:]}"
    text = [line for line in out.splitlines() if TEXT_LOG.match(line)]
    assert not text, f"text log lines from {service}:\n" + "\n".join(text[:10])
