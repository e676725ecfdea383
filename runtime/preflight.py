"""Checks a command makes before it starts work, so an operator's mistake is one line, not a traceback.

Each check raises `OperatorError` (exit status 2, one line on stderr, no
traceback) naming what is wrong and what to do:

- `require_kafka`: the configured cluster answers within ``kafka_connect_timeout``: TCP, then the
  TLS handshake and the SASL login when the security settings ask for them, then a metadata request;
- `setting_file`: a file named by a setting (feeds, taxonomy, rules, webhooks) exists;
- `require_port`: a server's address is free to bind.

`kafka_failure` turns a Kafka client error raised later (the broker went
away mid-command) into the same kind of line.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from marsad.runtime.kafka.connection import (
    Kafka,
    KafkaConnection,
    KafkaSecurity,
    KafkaSecurityError,
    aiokafka_options,
    connection,
    kafka_python_options,
)
from marsad.runtime.settings import OPTIONS

KAFKA_REMEDY = ("check KAFKA_BOOTSTRAP_SERVERS, or unset it and run `marsad kafka start` for the local broker")
TLS_REMEDY = ("check MARSAD_KAFKA_CA_FILE (the CA that signed the brokers' certificates; empty: the system's) "
              "and MARSAD_KAFKA_SECURITY_PROTOCOL")
LOGIN_REMEDY = "check MARSAD_KAFKA_USERNAME, MARSAD_KAFKA_PASSWORD (or _FILE) and MARSAD_KAFKA_SASL_MECHANISM"
SECURITY_REMEDY = "check the MARSAD_KAFKA_* security settings (`marsad config`)"
LOGIN_ERRORS = {"SaslAuthenticationFailedError", "SaslAuthenticationFailed", "AuthenticationFailedError",
                "AuthenticationMethodNotSupported", "UnsupportedSaslMechanismError", "IllegalSaslStateError"}


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


def _login(address: str, kafka: KafkaConnection, deadline: float) -> None:
    """Open one connection to ``host:port`` with the SASL login, as the clients do; raises the client's error
    when the broker refuses it. (aiokafka raises the refusal itself: kafka-python only logs it, and often
    sees the broker's close before its answer.)"""
    from aiokafka.conn import create_conn

    host, port = split_address(address)
    left_ms = max(int((deadline - time.monotonic()) * 1000), 500)
    options = aiokafka_options(kafka)
    options.pop("bootstrap_servers")

    async def attempt() -> None:
        conn = await asyncio.wait_for(create_conn(host, port, client_id="marsad-preflight",
                                                  request_timeout_ms=left_ms, **options), left_ms / 1000)
        conn.close()

    asyncio.run(attempt())


def _handshake(address: str, security: KafkaSecurity, deadline: float) -> None:
    """A TLS handshake with one ``host:port`` as the clients make it; ssl.SSLError or OSError says why not."""
    host, port = split_address(address)
    context = security.ssl_context()
    assert context is not None
    with socket.create_connection((host, port), timeout=max(deadline - time.monotonic(), 0.5)) as raw, \
            context.wrap_socket(raw, server_hostname=host):
        pass


def _tls_reason(error: BaseException) -> str:
    if isinstance(error, KafkaSecurityError):
        return str(error)
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {error.verify_message}"
    reason = getattr(error, "reason", None) or str(error)
    return str(reason).lower().replace("_", " ")


def kafka_problem(bootstrap: Kafka, timeout: float) -> str | None:
    """Why no broker of ``bootstrap`` can be reached, or None when one answers (TCP, the TLS handshake when
    the cluster uses TLS, then a Kafka metadata request over the SASL login when it uses SASL)."""
    return _diagnose(bootstrap, timeout)[0]


def _diagnose(bootstrap: Kafka, timeout: float) -> tuple[str | None, str]:
    """`kafka_problem` and the remedy that goes with it."""
    conn = connection(bootstrap)
    security = conn.security
    if (why := security.problem()) is not None:
        return why, SECURITY_REMEDY
    addresses = [a.strip() for a in conn.servers.split(",") if a.strip()]
    deadline = time.monotonic() + timeout
    reasons, remedy = [], KAFKA_REMEDY
    for i, address in enumerate(addresses):
        share = (deadline - time.monotonic()) / (len(addresses) - i)  # a black hole must not starve the next one
        try:
            _connect(address, time.monotonic() + share)
        except (ValueError, OSError) as e:
            reasons.append(str(e))
            continue
        if security.tls:
            try:
                _handshake(address, security, time.monotonic() + share)
            except (ssl.SSLError, KafkaSecurityError) as e:
                reasons.append(f"{address}: TLS handshake failed: {_tls_reason(e)}")
                remedy = TLS_REMEDY
                continue
            except OSError as e:
                reasons.append(f"{address}: TLS handshake failed: {(e.strerror or str(e)).lower()}")
                remedy = TLS_REMEDY
                continue
        if security.sasl:
            try:
                with _silenced():
                    _login(address, conn, time.monotonic() + share)
            except Exception as e:  # aiokafka's errors: only a refusal is told apart, the rest is probed next
                if type(e).__name__ in LOGIN_ERRORS:
                    detail = str(e).split(": ", 1)[-1] if ": " in str(e) else str(e)
                    reasons.append(f"{address}: login refused for user {security.username} ({security.mechanism}): "
                                   f"{detail.strip()[:200]}")
                    remedy = LOGIN_REMEDY
                    continue
        with _silenced():  # the client's own retries would bury the one line this check exists for
            answers = broker_answers(conn.at(address), timeout=max(deadline - time.monotonic(), 1.0))
        if answers:
            return None, ""
        hint = "" if security.tls else " (a TLS or SASL listener? see MARSAD_KAFKA_SECURITY_PROTOCOL)"
        reasons.append(f"{address}: accepts connections but does not answer as Kafka{hint}")
    return ("; ".join(reasons) or "no address given"), remedy


def require_kafka(bootstrap: Kafka, timeout: float) -> None:
    """Raise `OperatorError` unless a broker of ``bootstrap`` answers within ``timeout`` seconds."""
    problem, remedy = _diagnose(bootstrap, timeout)
    if problem is not None:
        what = {LOGIN_REMEDY: "Kafka refused the login", TLS_REMEDY: "no TLS connection to Kafka",
                SECURITY_REMEDY: "cannot connect to Kafka"}.get(remedy, "cannot reach Kafka")
        raise OperatorError(f"{what} at {bootstrap} ({problem}): {remedy}")


def kafka_failure(error: BaseException, bootstrap: Kafka) -> OperatorError | None:
    """The one-line error for a Kafka client's exception (kafka-python or aiokafka), else None."""
    if isinstance(error, KafkaSecurityError):
        return OperatorError(f"cannot connect to Kafka at {bootstrap}: {error}: {SECURITY_REMEDY}")
    module = type(error).__module__
    if not module.startswith(("kafka.", "aiokafka.")):
        return None
    name = type(error).__name__
    if name in LOGIN_ERRORS:
        detail = str(error).strip() or name
        return OperatorError(f"Kafka at {bootstrap} refused the login ({name}: {detail[:200]}): {LOGIN_REMEDY}")
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


def broker_answers(bootstrap: Kafka, timeout: float = 2.0) -> bool:
    """True when a broker at ``bootstrap`` answers a metadata request (over its TLS and SASL when it has them)."""
    host, _, port = str(bootstrap).split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            pass
    except OSError:
        return False
    from kafka import KafkaConsumer  # imported late: the CLI starts faster without it
    from kafka.errors import KafkaError
    try:
        consumer = KafkaConsumer(**kafka_python_options(bootstrap), request_timeout_ms=int(timeout * 1000) + 500,
                                 bootstrap_timeout_ms=int(timeout * 1000),
                                 connections_max_idle_ms=int(timeout * 1000) + 1000)
    except KafkaError:
        return False
    try:
        consumer.topics()
        return True
    except KafkaError:
        return False
