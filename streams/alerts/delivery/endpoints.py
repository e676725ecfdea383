"""The webhook endpoints file: YAML in, validated `Endpoint`s out (no network here).

    endpoints:
      - name: ops-critical                 # unique; named in logs, dead letters and the ledger
        url: https://hooks.example.org/marsad
        secret_env: MARSAD_HOOK_OPS        # or `secret: "..."` (one of the two)
        severities: [critical]             # optional filters: an alert goes to the endpoint when
        rules: [captagon-million]          #   its severity OR its rule is listed; neither: every alert
        updates: true                      # also post AlertUpdated (default true)
        timeout: 5                         # seconds per try (default $MARSAD_ALERT_DELIVER_TIMEOUT)
        concurrency: 4                     # posts in flight at once (default 4); one alert's events stay in order

Every problem is collected and reported at once by `EndpointsError`, each
naming the endpoint and the field ("webhooks.yaml: endpoint 'ops'
(#1): severities: unknown severity 'urgent'..."), so a bad file is refused
before anything is read from Kafka.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.wire import SEVERITIES

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RULE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
FIELDS = {"name", "url", "secret", "secret_env", "severities", "rules", "updates", "timeout", "concurrency"}
MAX_CONCURRENCY = 64
DEFAULT_CONCURRENCY = 4


class EndpointsError(ValueError):
    """An endpoints file that cannot be used; the message lists every problem with endpoint and field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + (problems[0] if len(problems) == 1
                                          else "\n  " + "\n  ".join(problems)))
        self.problems = problems


@dataclass(frozen=True)
class Endpoint:
    """One webhook and the alerts it takes."""

    name: str
    url: str
    secret: bytes
    severities: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    updates: bool = True
    timeout: float | None = None  # None: the configured default
    concurrency: int = DEFAULT_CONCURRENCY

    def wants(self, event: AlertRaised | AlertUpdated) -> bool:
        """Does this endpoint take ``event``? (Severity or rule listed; no filter: every alert.)"""
        if isinstance(event, AlertUpdated) and not self.updates:
            return False
        if not self.severities and not self.rules:
            return True
        return event.severity in self.severities or event.rule_id in self.rules

    @property
    def safe_url(self) -> str:
        """The URL without query string or credentials, for logs and dead letters."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"


def load_endpoints(path: str | Path, env: dict[str, str] | None = None) -> list[Endpoint]:
    """Read and validate the endpoints file at ``path``; `EndpointsError` names every problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise EndpointsError(str(p), [f"cannot read it: {e.strerror or e}"]) from None
    return parse_endpoints(text, source=p.name, env=os.environ if env is None else env)


def parse_endpoints(text: str, *, source: str = "<endpoints>", env: dict[str, str] | None = None) -> list[Endpoint]:
    """Validate endpoints YAML text (see the module docstring)."""
    env = os.environ if env is None else env
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise EndpointsError(source, [f"not valid YAML: {e}"]) from None
    if not isinstance(doc, dict) or set(doc) != {"endpoints"} or not isinstance(doc["endpoints"], list):
        raise EndpointsError(source, ["expected a list of endpoints under the one key 'endpoints'"])
    problems: list[str] = []
    endpoints: list[Endpoint] = []
    seen: set[str] = set()
    for i, record in enumerate(doc["endpoints"], start=1):
        endpoint, found = _endpoint(record, i, env)
        problems += found
        if endpoint is not None:
            if endpoint.name in seen:
                problems.append(f"endpoint {endpoint.name!r} (#{i}): name: used by an earlier endpoint")
            seen.add(endpoint.name)
            endpoints.append(endpoint)
    if problems:
        raise EndpointsError(source, problems)
    return endpoints


def _endpoint(record: Any, position: int, env: dict[str, str]) -> tuple[Endpoint | None, list[str]]:
    if not isinstance(record, dict):
        return None, [f"endpoint #{position}: expected a mapping with name, url, secret..."]
    name = record.get("name")
    label = f"endpoint {name!r} (#{position})" if isinstance(name, str) else f"endpoint #{position}"
    problems: list[str] = []

    def problem(field: str, message: str) -> None:
        problems.append(f"{label}: {field}: {message}")

    for unknown in sorted(set(record) - FIELDS, key=str):
        problem(str(unknown), f"unknown field (known: {', '.join(sorted(FIELDS))})")
    if not isinstance(name, str) or not NAME.match(name):
        problem("name", "required: letters, digits and _ . - (up to 64)")
    url = record.get("url")
    if not isinstance(url, str) or not _http_url(url):
        problem("url", "required: an http:// or https:// URL with a host")
    secret = _secret(record, env, problem)
    severities = _names(record.get("severities"), "severities", problem, set(SEVERITIES))
    rules = _names(record.get("rules"), "rules", problem, None)
    updates = record.get("updates", True)
    if not isinstance(updates, bool):
        problem("updates", f"must be true or false (got {updates!r})")
    timeout = record.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0):
        problem("timeout", f"must be a number of seconds > 0 (got {timeout!r})")
    concurrency = record.get("concurrency", DEFAULT_CONCURRENCY)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
        problem("concurrency", f"must be an integer from 1 to {MAX_CONCURRENCY} (got {concurrency!r})")
    if problems:
        return None, problems
    return Endpoint(name, url, secret, severities, rules, updates,
                    float(timeout) if timeout is not None else None, concurrency), []


def _http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        return False


def _secret(record: dict, env: dict[str, str], problem: Any) -> bytes:
    given, from_env = record.get("secret"), record.get("secret_env")
    if (given is None) == (from_env is None):
        problem("secret", "give exactly one of `secret` and `secret_env` (the HMAC key the receiver checks with)")
        return b""
    if from_env is not None:
        if not isinstance(from_env, str) or not from_env:
            problem("secret_env", "must name an environment variable")
            return b""
        value = env.get(from_env, "")
        if not value:
            problem("secret_env", f"environment variable {from_env} is not set or empty")
        return value.encode()
    if not isinstance(given, str) or not given:
        problem("secret", "must be a non-empty string")
        return b""
    return given.encode()


def _names(value: Any, field: str, problem: Any, allowed: set[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problem(field, "must be a non-empty list of names")
        return frozenset()
    for v in value:
        if allowed is not None and v not in allowed:
            problem(field, f"unknown severity {v!r} (use {', '.join(SEVERITIES)})")
        elif allowed is None and not RULE.match(v):
            problem(field, f"{v!r} is not a rule id (letters, digits and _ . : -)")
    return frozenset(value)
