"""`marsad alerts deliveries` over a ledger, and the redeliver command's operator errors (no broker needed)."""

from __future__ import annotations

import time

import orjson
import pytest
from click.testing import CliRunner

from marsad.deploy.cli.main import cli
from marsad.streams.alerts.delivery.deliver import owed_rows
from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.ledger import Ledger
from tests.streams.alerts.events import raised

OPS, ARCHIVE = Endpoint("ops", "http://127.0.0.1:9/ops", b"s"), Endpoint("archive", "http://127.0.0.1:9/a", b"s")


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARSAD_TOPIC_PREFIX", "cli")
    hooks = tmp_path / "hooks.yaml"
    hooks.write_text("endpoints:\n" + "".join(f"  - name: {n}\n    url: http://127.0.0.1:9/{n}\n    secret: s\n"
                                               for n in ("ops", "archive", "new")), encoding="utf-8")
    monkeypatch.setenv("MARSAD_ALERT_WEBHOOKS", str(hooks))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_deliveries_shows_pending_retrying_next_try_dead_and_accepted_per_endpoint(data, monkeypatch):
    with monkeypatch.context() as m:
        m.setenv("MARSAD_ALERT_WEBHOOKS", "")
        assert run("alerts", "deliveries").output.startswith("no deliveries yet (no ledger at ")
    ledger = Ledger(data / "alerts" / "delivered-cli.sqlite")
    for i in range(5):
        ledger.enqueue(owed_rows(raised(i), [OPS, ARCHIVE], "cli.alerts", 0, i, None))
    for d in ledger.due("ops", 3, set())[0]:
        ledger.retry(d.seq, 4, time.time() + 95, "HTTP 503")
    first, second = ledger.due("archive", 2, set())[0]
    ledger.settle(first.seq, "archive", first.owed.key, "accepted")
    ledger.settle(second.seq, "archive", second.owed.key, "dead")
    ledger.close()

    r = run("alerts", "deliveries")
    assert r.exit_code == 0, r.output
    header, *rows = [line.split() for line in r.output.splitlines()]
    assert header[:4] == ["ENDPOINT", "PENDING", "RETRYING", "NEXT"]
    by_name = {row[0]: row for row in rows}
    assert by_name["archive"][1:4] == ["3", "0", "-"]
    assert by_name["ops"][1:4] == ["2", "3", "in"] and by_name["ops"][-2:] == ["HTTP", "503"]
    assert by_name["new"][1:3] == ["0", "0"]  # configured, nothing yet
    js = {o["target"]: o for o in map(orjson.loads, run("alerts", "deliveries", "--json").output.splitlines())}
    assert (js["archive"]["accepted"], js["archive"]["dead"], js["ops"]["retrying"]) == (1, 1, 3)
    assert js["ops"]["next_try_at"].endswith("+00:00")


@pytest.mark.parametrize(("args", "message"), [
    (["--endpoint", "nope"], "no endpoint 'nope' in the endpoints file (there: ops, archive, new)"),
    (["--since", "2026-02-30"], "'2026-02-30' is not a date"),
    (["--since", "2026-03-02", "--until", "2026-03-01"], "--until must come after --since"),
])
def test_redeliver_refuses_a_bad_request_with_one_line(data, args, message):
    r = run("alerts", "redeliver", *args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_redeliver_without_endpoints_says_so(data, monkeypatch):
    monkeypatch.setenv("MARSAD_ALERT_WEBHOOKS", "")
    r = run("alerts", "redeliver")
    assert r.exit_code == 2 and "no endpoints file: give --webhooks or set MARSAD_ALERT_WEBHOOKS" in r.output
