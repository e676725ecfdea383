"""Logging set-up for every marsad command: text for people, JSON for machines."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


KAFKA_CLIENTS = ("kafka", "aiokafka")


class KeepOutKafkaClients(logging.Filter):
    """Keeps the Kafka clients' own records out of a command's output, unless ``--log-level debug``.

    Their retries and warnings (a slow poll, a reconnect) drown the one line
    that matters: a command that cannot reach the cluster says so itself
    (`marsad.runtime.preflight`). On a terminal none of their records pass; elsewhere
    (service logs) their errors still do.
    """

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.floor = logging.CRITICAL + 1 if terminal else logging.ERROR

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".")[0] not in KAFKA_CLIENTS or record.levelno >= self.floor


class HoldRepeats(logging.Filter):
    """Lets through the first of a run of like warnings or errors from the Kafka clients, then one per
    ``every`` seconds, saying how many like it were held back.

    While a broker is away, aiokafka logs each refused reconnection and each
    fetch it could not send (about ten a second per connection) and
    kafka-python each failed metadata refresh: a broker's fail-over would bury
    a service's log under thousands of such lines. Records are alike when
    they come from the same logger with the same message template.
    """

    def __init__(self, every: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every = every
        self.clock = clock
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}  # (logger, template) -> (last shown, held)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or record.name.split(".")[0] not in KAFKA_CLIENTS:
            return True
        key, now = (record.name, str(record.msg)), self.clock()
        shown, held = self._seen.get(key, (None, 0))
        if shown is not None and now - shown < self.every:
            self._seen[key] = (shown, held + 1)
            return False
        self._seen[key] = (now, 0)
        if held and isinstance(record.msg, str):
            record.msg += f" ({held} more like it in the last {now - shown:.0f}s not shown)"
        return True


def hold_kafka_repeats(every: float = 30.0) -> HoldRepeats:
    """Put one `HoldRepeats` on every Kafka client logger that exists now (for processes whose log handlers
    are not ours, as Faust's workers; the loggers exist once the clients are imported)."""
    held = HoldRepeats(every)
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in KAFKA_CLIENTS:
            logging.getLogger(name).addFilter(held)
    return held


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if level != "debug":
        handler.addFilter(KeepOutKafkaClients(terminal=sys.stderr.isatty()))
        handler.addFilter(HoldRepeats())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                                               "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # the Kafka and HTTP clients are chatty at info level
    for noisy in ("kafka", "aiokafka", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # "group_id is None: disabling auto-commit" is expected for our readers
    logging.getLogger("kafka.coordinator.consumer").setLevel(logging.ERROR)


def logging_config(level: str = "info") -> dict:
    """`logging.config.dictConfig` for JSON lines on stderr: for servers that set logging up themselves (Faust)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": level.upper(), "handlers": ["default"]},
    }
