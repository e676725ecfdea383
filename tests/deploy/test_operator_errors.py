"""An operator's mistake is one line and exit status 2, never the Kafka clients' retries and a traceback.

Every command that needs Kafka is run as a real `marsad` process against a
closed port and against a name that does not resolve. They run a few at a
time (each is a fresh Python process importing its libraries), so the
whole table takes seconds. Then: files named by settings that do not
exist, views that cannot be opened, a port in use, secrets in `marsad config`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from marsad.deploy.kafka.local import free_port

MARSAD = str(Path(sys.executable).parent / "marsad")
CLOSED = f"127.0.0.1:{free_port()}"  # nothing listens there
UNRESOLVABLE = "no-such-host.invalid:9092"  # .invalid never resolves (RFC 2606)
ADDRESSES = {"closed-port": CLOSED, "unresolvable": UNRESOLVABLE}
BOUND = 30.0  # seconds: generous for a loaded machine; the Kafka wait itself is MARSAD_KAFKA_CONNECT_TIMEOUT (5 s)

KAFKA_COMMANDS = {
    "topics create": ["topics", "create"],
    "topics list": ["topics", "list"],
    "tail": ["tail", "fetched"],
    "import": ["import", "{articles}"],
    "produce": ["produce", "--once"],
    "poll": ["poll", "--once"],
    "fetch": ["fetch", "--once"],
    "worker": ["worker"],
    "alerter": ["alerter"],
    "views": ["views"],
    "replay": ["replay"],
    "alerts tail": ["alerts", "tail"],
    "alerts backtest": ["alerts", "backtest"],
    "alerts deliver": ["alerts", "deliver", "--jsonl", "-"],
    "up": ["up"],
}


@dataclass
class Run:
    code: int
    output: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.strip()]


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARSAD_", "KAFKA_"))}
    return {**env, "MARSAD_DATA_DIR": str(data_dir), "MARSAD_CONFIG": os.devnull, "MARSAD_LOG_LEVEL": "info",
            **extra}


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> Run:
    started = time.monotonic()
    r = subprocess.run([MARSAD, *args], env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout)
    return Run(r.returncode, r.stdout + r.stderr, time.monotonic() - started)


@pytest.fixture(scope="module")
def kafka_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Run]:
    """Every (command, address) run once, four at a time."""
    folder = tmp_path_factory.mktemp("unreachable")
    articles = folder / "a.jsonl"
    articles.write_text('{"id": "a1", "text": "نص"}\n', encoding="utf-8")

    def one(command: str, address: str) -> Run:
        data = folder / f"{command.replace(' ', '-')}-{address.split(':')[0]}"
        ports = {name: str(free_port()) for name in ("MARSAD_PRODUCER_METRICS_PORT", "MARSAD_FETCHER_METRICS_PORT",
                                                     "MARSAD_WORKER_WEB_PORT", "MARSAD_ALERTER_WEB_PORT",
                                                     "MARSAD_VIEWS_METRICS_PORT", "MARSAD_API_PORT")}
        args = [a.format(articles=articles) for a in KAFKA_COMMANDS[command]]
        return run(args, base_env(data, KAFKA_BOOTSTRAP_SERVERS=address, **ports), folder)

    cases = [(c, a) for c in KAFKA_COMMANDS for a in ADDRESSES.values()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(cases, pool.map(lambda case: one(*case), cases), strict=True))


@pytest.mark.parametrize("address", ADDRESSES.values(), ids=ADDRESSES.keys())
@pytest.mark.parametrize("command", KAFKA_COMMANDS)
def test_unreachable_kafka_is_one_line_and_exit_2(kafka_runs: dict, command: str, address: str) -> None:
    r = kafka_runs[command, address]
    assert r.code == 2, r.output
    assert len(r.lines) == 1, r.output
    assert r.lines[0].startswith("Error: cannot reach Kafka at " + address)
    assert "KAFKA_BOOTSTRAP_SERVERS" in r.lines[0] and "marsad kafka start" in r.lines[0]
    assert "Traceback" not in r.output
    assert r.seconds < BOUND, f"{command} took {r.seconds:.1f}s"


def test_the_kafka_wait_is_a_setting(tmp_path: Path) -> None:
    r = run(["topics", "list"], base_env(tmp_path, KAFKA_BOOTSTRAP_SERVERS=CLOSED,
                                         MARSAD_KAFKA_CONNECT_TIMEOUT="0"), tmp_path)
    assert r.code == 1 and "kafka_connect_timeout" in r.output and "must be in (0, 60]" in r.output


# -- files named by settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("env_name", "args"), [
    ("MARSAD_FEEDS", ["poll", "--once"]),
    ("MARSAD_FEEDS", ["feeds", "list"]),
    ("MARSAD_TAXONOMY", ["classify"]),
    ("MARSAD_TAXONOMY", ["worker"]),
    ("MARSAD_TAXONOMY", ["replay", "--reprocess"]),
    ("MARSAD_ALERT_RULES", ["alerter"]),
    ("MARSAD_ALERT_RULES", ["alerts", "backtest"]),
    ("MARSAD_ALERT_WEBHOOKS", ["alerts", "deliver"]),
], ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_a_missing_file_named_by_a_setting_is_one_line(tmp_path: Path, env_name: str, args: list[str]) -> None:
    missing = tmp_path / "nowhere" / "file.yaml"
    r = run(args, base_env(tmp_path, **{env_name: str(missing), "KAFKA_BOOTSTRAP_SERVERS": CLOSED}), tmp_path)
    assert r.code == 2, r.output
    assert r.lines == [f"Error: {env_name}={missing}: does not exist ({r.lines[0].split('(', 1)[1]}"], r.output
    assert "unset it" in r.output and "Traceback" not in r.output


# -- views ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["api"], ["query", "articles"], ["views", "status"], ["views", "hash"]],
                         ids=" ".join)
def test_readers_refuse_views_that_do_not_exist_and_create_nothing(tmp_path: Path, args: list[str]) -> None:
    views = tmp_path / "typo" / "views.sqlite"
    r = run(args, base_env(tmp_path, MARSAD_VIEWS_URL=f"sqlite:///{views}", MARSAD_API_PORT=str(free_port())),
            tmp_path)
    assert r.code == 2, r.output
    assert r.lines == [f"Error: no views database at sqlite:///{views}: build it with `marsad views` (follows the "
                       "log) or `marsad replay`, or fix MARSAD_VIEWS_URL"]
    assert not views.parent.exists()


def test_a_database_url_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/views"
    r = run(["query", "articles"], base_env(tmp_path, MARSAD_VIEWS_URL=url), tmp_path)
    assert r.code == 2 and len(r.lines) == 1 and "cannot connect to the views database" in r.output, r.output


def test_readers_refuse_views_of_an_older_schema(tmp_path: Path) -> None:
    import sqlite3
    views = tmp_path / "views.sqlite"
    with sqlite3.connect(views) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        db.execute("INSERT INTO schema_version VALUES (1, 'initial', '2026-01-01T00:00:00Z')")
    r = run(["query", "articles"], base_env(tmp_path, MARSAD_VIEWS_URL=f"sqlite:///{views}"), tmp_path)
    assert r.code == 2 and len(r.lines) == 1, r.output
    assert "at schema version 1, this marsad reads version" in r.output and "marsad views" in r.output


# -- ports -----------------------------------------------------------------------------------------------------
@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_an_api_port_in_use_is_one_line(tmp_path: Path, taken_port: int) -> None:
    from marsad.consumers.store import open_store
    views = tmp_path / "views.sqlite"
    with open_store(str(views)) as store:
        store.setup()
    r = run(["api", "--port", str(taken_port)], base_env(tmp_path, MARSAD_VIEWS_URL=f"sqlite:///{views}"), tmp_path)
    assert r.code == 2, r.output
    assert r.lines == [f"Error: cannot listen on 127.0.0.1:{taken_port}: address already in use: set "
                       "MARSAD_API_PORT (or --port) to a free port (or stop what uses it)"]


# -- secrets ---------------------------------------------------------------------------------------------------
def test_config_masks_secrets(tmp_path: Path) -> None:
    token = "t" * 40
    r = run(["config"], base_env(tmp_path, MARSAD_API_TOKEN=token,
                                 MARSAD_VIEWS_URL="postgresql://marsad:hunter2@db/marsad"), tmp_path)
    assert r.code == 0, r.output
    assert token not in r.output and "hunter2" not in r.output
    assert "api_token" in r.output and "***" in r.output and "postgresql://marsad:***@db/marsad" in r.output


@pytest.mark.parametrize(("args", "setting"), [
    (["worker", "--web-port", "{port}"], "MARSAD_WORKER_WEB_PORT (or --web-port)"),
    (["alerter", "--web-port", "{port}"], "MARSAD_ALERTER_WEB_PORT (or --web-port)"),
    (["views"], "MARSAD_VIEWS_METRICS_PORT"),
], ids=["worker", "alerter", "views"])
@pytest.mark.kafka
def test_a_service_port_in_use_is_one_line(tmp_path: Path, taken_port: int, args: list[str], setting: str,
                                           kafka_bootstrap: str) -> None:
    env = base_env(tmp_path, KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap, MARSAD_VIEWS_METRICS_PORT=str(taken_port),
                   MARSAD_TOPIC_PREFIX=f"ports-{free_port()}")
    r = run([a.format(port=taken_port) for a in args], env, tmp_path)
    assert r.code == 2, r.output
    assert len(r.lines) == 1 and str(taken_port) in r.lines[0] and setting in r.lines[0], r.output


@pytest.mark.parametrize(("logger", "level", "terminal", "shown"), [
    ("kafka.net.selector", "WARNING", False, False),
    ("kafka.conn", "ERROR", False, True),
    ("kafka.conn", "ERROR", True, False),
    ("aiokafka.consumer", "WARNING", True, False),
    ("kafkaesque", "WARNING", True, True),
    ("marsad.producers.service", "INFO", True, True),
])
def test_kafka_clients_lines_are_kept_out(logger: str, level: str, terminal: bool, shown: bool) -> None:
    import logging

    from marsad.runtime.logs import KeepOutKafkaClients
    record = logging.LogRecord(logger, getattr(logging, level), __file__, 1, "message", None, None)
    assert KeepOutKafkaClients(terminal).filter(record) is shown


# -- the probe itself ------------------------------------------------------------------------------------------
def test_the_probe_names_each_address_and_a_listener_that_is_not_kafka(taken_port: int) -> None:
    from marsad.runtime.preflight import kafka_problem
    problem = kafka_problem(f"{CLOSED},{UNRESOLVABLE},127.0.0.1:{taken_port},nonsense", timeout=3)
    assert problem is not None
    parts = problem.split("; ")
    assert parts[0] == f"{CLOSED}: connection refused"
    assert parts[1].startswith("no-such-host.invalid: ")
    assert parts[2] == (f"127.0.0.1:{taken_port}: accepts connections but does not answer as Kafka "
                        "(a TLS or SASL listener? see MARSAD_KAFKA_SECURITY_PROTOCOL)")
    assert parts[3] == "'nonsense' is not host:port"


@pytest.mark.kafka
def test_the_probe_passes_when_one_broker_answers(kafka_bootstrap: str) -> None:
    from marsad.runtime.preflight import kafka_problem
    assert kafka_problem(f"{CLOSED},{kafka_bootstrap}", timeout=5) is None


def test_a_kafka_client_error_mid_command_becomes_one_line() -> None:
    from aiokafka.errors import KafkaConnectionError
    from kafka.errors import KafkaTimeoutError

    from marsad.runtime.preflight import kafka_failure
    for error in (KafkaTimeoutError("Failed to update metadata after 60.0 secs."),
                  KafkaConnectionError("Unable to bootstrap from [('k', 9092)]")):
        failure = kafka_failure(error, "k:9092")
        assert failure is not None and failure.exit_code == 2
        assert failure.format_message().startswith(f"lost Kafka at k:9092 ({type(error).__name__}")
    assert kafka_failure(ValueError("not Kafka"), "k:9092") is None


def test_a_listener_that_is_not_kafka_is_one_line_too(tmp_path: Path, taken_port: int) -> None:
    r = run(["topics", "list"], base_env(tmp_path, KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{taken_port}",
                                         MARSAD_KAFKA_CONNECT_TIMEOUT="2"), tmp_path)
    assert r.code == 2, r.output
    assert r.lines == [f"Error: cannot reach Kafka at 127.0.0.1:{taken_port} (127.0.0.1:{taken_port}: accepts "
                       "connections but does not answer as Kafka (a TLS or SASL listener? see "
                       "MARSAD_KAFKA_SECURITY_PROTOCOL)): check KAFKA_BOOTSTRAP_SERVERS, or unset it and "
                       "run `marsad kafka start` for the local broker"]
