"""Logging set-up for every marsad command: text for people, JSON for machines."""

from __future__ import annotations

import logging
import sys
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
    (`deploy.preflight`). On a terminal none of their records pass; elsewhere
    (service logs) their errors still do.
    """

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.floor = logging.CRITICAL + 1 if terminal else logging.ERROR

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".")[0] not in KAFKA_CLIENTS or record.levelno >= self.floor


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if level != "debug":
        handler.addFilter(KeepOutKafkaClients(terminal=sys.stderr.isatty()))
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
