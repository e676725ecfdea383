"""The endpoints file: what it accepts, and errors that name the endpoint and the field."""

from __future__ import annotations

import pytest

from marsad.streams.alerts.delivery.endpoints import EndpointsError, load_endpoints, parse_endpoints
from tests.streams.alerts.events import raised, updated

GOOD = """
endpoints:
  - name: ops-critical
    url: https://hooks.example.org/marsad?token=abc
    secret_env: HOOK_SECRET
    severities: [critical]
    rules: [captagon-million]
    updates: false
    timeout: 5
    concurrency: 2
  - name: archive
    url: http://127.0.0.1:9000/all
    secret: s3cret
"""


def test_a_good_file():
    ops, archive = parse_endpoints(GOOD, env={"HOOK_SECRET": "from-env"})
    assert ops.secret == b"from-env" and ops.timeout == 5.0 and ops.concurrency == 2 and not ops.updates
    assert ops.safe_url == "https://hooks.example.org/marsad"  # no query string in logs and dead letters
    assert archive.secret == b"s3cret" and archive.updates and archive.timeout is None and archive.concurrency == 4


def test_filters_severity_or_rule_and_updates():
    ops, archive = parse_endpoints(GOOD, env={"HOOK_SECRET": "x"})
    critical, warning = raised(0, severity="critical"), raised(1, severity="warning")
    by_rule = raised(2, severity="info", rule="captagon-million")
    assert ops.wants(critical) and not ops.wants(warning) and ops.wants(by_rule)
    assert not ops.wants(updated(critical, 1))  # updates: false
    assert all(archive.wants(e) for e in (critical, warning, by_rule, updated(warning, 1)))


@pytest.mark.parametrize(("text", "message"), [
    ("endpoints: {}", "expected a list of endpoints under the one key 'endpoints'"),
    ("hooks: []", "expected a list of endpoints"),
    ("endpoints: [: bad", "not valid YAML"),
    ("endpoints:\n  - url: http://h/\n    secret: s", "endpoint #1: name: required"),
    ("endpoints:\n  - {name: a, url: ftp://h/x, secret: s}", "endpoint 'a' (#1): url: required: an http:// or https://"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, colour: red}", "endpoint 'a' (#1): colour: unknown field"),
    ("endpoints:\n  - {name: a, url: 'http://h/'}", "endpoint 'a' (#1): secret: give exactly one of"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, secret_env: X}", "secret: give exactly one"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret_env: NOT_SET_ANYWHERE}",
     "endpoint 'a' (#1): secret_env: environment variable NOT_SET_ANYWHERE is not set or empty"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, severities: [urgent]}",
     "endpoint 'a' (#1): severities: unknown severity 'urgent' (use critical, warning, info)"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, severities: critical}",
     "severities: must be a non-empty list"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, rules: ['no spaces']}", "rules: 'no spaces' is not a rule id"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, timeout: 0}", "timeout: must be a number of seconds > 0"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, updates: sometimes}", "updates: must be true or false"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s, concurrency: 100}", "concurrency: must be an integer"),
    ("endpoints:\n  - {name: a, url: 'http://h/', secret: s}\n  - {name: a, url: 'http://g/', secret: t}",
     "endpoint 'a' (#2): name: used by an earlier endpoint"),
])
def test_bad_files_are_refused_naming_endpoint_and_field(text, message):
    with pytest.raises(EndpointsError) as e:
        parse_endpoints(text, source="hooks.yaml", env={})
    assert str(e.value).startswith("hooks.yaml: ")
    assert message in str(e.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "hooks.yaml"
    path.write_text("endpoints:\n  - {name: a, url: nope, secret: s, timeout: -1}\n", encoding="utf-8")
    with pytest.raises(EndpointsError) as e:
        load_endpoints(path, env={})
    assert len(e.value.problems) == 2 and "url" in str(e.value) and "timeout" in str(e.value)
    with pytest.raises(EndpointsError, match="cannot read it"):
        load_endpoints(tmp_path / "missing.yaml")
