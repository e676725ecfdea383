"""Checks a command makes before it starts work, so an operator's mistake is one line, not a traceback.

Each check raises `OperatorError` (exit status 2, one line on stderr, no
traceback) naming what is wrong and what to do:

- `require_kafka`: the configured cluster answers within ``kafka_connect_timeout``;
- `setting_file`: a file named by a setting (feeds, taxonomy, rules, webhooks) exists;
- `require_port`: a server's address is free to bind.

`kafka_failure` turns a Kafka client error raised later (the broker went
away mid-command) into the same kind of line.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from deploy.settings import OPTIONS

KAFKA_REMEDY = ("check KAFKA_BOOTSTRAP_SERVERS, or unset it and run `marsad kafka start` for the local broker")


class OperatorError(click.ClickException):
    """A mistake in the set-up (address, file, database, port): one line, exit status 2."""

    exit_code = 2


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) as a pair; raises ValueError when it is not one."""
    host, sep, port = address.strip().rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"{address!r} is not host:port")
    return host.strip("[]"), int(port)


def _resolve(host: str, port: int, timeout: float) -> list[tuple[Any, ...]]:
    """getaddrinfo with a deadline (a resolver that hangs must not hang the command)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        return future.result(timeout=max(timeout, 0.01))
    except concurrent.futures.TimeoutError:
        raise OSError(f"{host}: name lookup timed out") from None
    except socket.gaierror as e:
        raise OSError(f"{host}: {e.strerror.lower() if e.strerror else 'name not known'}") from None
    finally:
        pool.shutdown(wait=False)


def _connect(address: str, deadline: float) -> None:
    """Open (and close) a TCP connection to one ``host:port``; OSError says why not."""
    host, port = split_address(address)
    last: OSError | None = None
    for family, kind, proto, _, sockaddr in _resolve(host, port, deadline - time.monotonic()):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            with socket.socket(family, kind, proto) as s:
                s.settimeout(left)
                s.connect(sockaddr)
                return
        except TimeoutError:
            last = OSError(f"{address}: no answer within the timeout")
        except OSError as e:
            last = OSError(f"{address}: {(e.strerror or str(e)).lower()}")
    raise last or OSError(f"{address}: no answer within the timeout")


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """No log records while the probe runs (it runs before the command does anything else)."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


def kafka_problem(bootstrap: str, timeout: float) -> str | None:
    """Why no broker of ``bootstrap`` can be reached, or None when one answers (TCP, then Kafka metadata)."""
    from deploy.kafka.local import broker_answers  # imported late: the CLI starts faster without kafka

    addresses = [a.strip() for a in bootstrap.split(",") if a.strip()]
    deadline = time.monotonic() + timeout
    reasons = []
    for i, address in enumerate(addresses):
        share = (deadline - time.monotonic()) / (len(addresses) - i)  # a black hole must not starve the next one
        try:
            _connect(address, time.monotonic() + share)
        except (ValueError, OSError) as e:
            reasons.append(str(e))
            continue
        with _silenced():  # the client's own retries would bury the one line this check exists for
            answers = broker_answers(address, timeout=max(deadline - time.monotonic(), 1.0))
        if answers:
            return None
        reasons.append(f"{address}: accepts connections but does not answer as Kafka")
    return "; ".join(reasons) or "no address given"


def require_kafka(bootstrap: str, timeout: float) -> None:
    """Raise `OperatorError` unless a broker of ``bootstrap`` answers within ``timeout`` seconds."""
    problem = kafka_problem(bootstrap, timeout)
    if problem is not None:
        raise OperatorError(f"cannot reach Kafka at {bootstrap} ({problem}): {KAFKA_REMEDY}")


def kafka_failure(error: BaseException, bootstrap: str) -> OperatorError | None:
    """The one-line error for a Kafka client's exception (kafka-python or aiokafka), else None."""
    module = type(error).__module__
    if not module.startswith(("kafka.", "aiokafka.")):
        return None
    name = type(error).__name__
    if name not in {"NoBrokersAvailable", "KafkaConnectionError", "KafkaTimeoutError", "NodeNotReadyError",
                    "MetadataEmptyBrokerList", "RequestTimedOutError", "ConnectionError"}:
        return None
    detail = str(error).strip() or name
    return OperatorError(f"lost Kafka at {bootstrap} ({name}: {detail[:200]}): {KAFKA_REMEDY}")


def setting_file(settings: Any, name: str, *, remedy: str = "") -> Path | None:
    """The file a setting names (None when the setting is empty); `OperatorError` when it does not exist."""
    value = getattr(settings, name)
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        hint = remedy or "fix the path, or unset it for the default"
        raise OperatorError(f"{OPTIONS[name].env}={value}: {what} ({hint})")
    return path


def require_port(host: str, port: int, setting: str) -> None:
    """Raise `OperatorError` when ``host:port`` cannot be bound now (in use, or an address not of this host)."""
    if not port:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise OperatorError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    family, kind, proto, _, sockaddr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(sockaddr)
        except OSError as e:
            raise OperatorError(f"cannot listen on {host}:{port}: {(e.strerror or str(e)).lower()}: set {setting} "
                                "to a free port (or stop what uses it)") from None
