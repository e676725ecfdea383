"""Readiness that means progress, and the supervisor restarting a service that stays not ready.

`ProgressWatch` on a clock of its own; the supervisor's watch over real
processes that answer /health/ready with 503 (a small HTTP server each);
then real fetchers on the session's broker, more of them than partitions.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from marsad.deploy.kafka.local import free_port
from marsad.deploy.services.registry import SERVICES, Instance
from marsad.deploy.services.supervisor import Running, Supervisor, readiness_of
from marsad.runtime.health import Health, ProgressWatch
from marsad.runtime.kafka.admin import create_topics
from marsad.runtime.lag import GroupProgress
from marsad.runtime.settings import load_settings

MARSAD = str(Path(sys.executable).parent / "marsad")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- ProgressWatch ---------------------------------------------------------------------------------------------
def test_ready_while_holding_partitions_and_moving() -> None:
    clock = Clock()
    watch = ProgressWatch(60, clock)
    for step in range(10):
        clock.now += 30
        assert watch.observe(assigned=2, partitions=4, lag=100, position=step) == (True, "ok")


def test_behind_without_progress_is_not_ready_until_it_moves_again() -> None:
    clock = Clock()
    watch = ProgressWatch(60, clock)
    assert watch.observe(assigned=2, partitions=4, lag=50, position=7)[0]
    clock.now += 59
    assert watch.observe(assigned=2, partitions=4, lag=50, position=7)[0]
    clock.now += 2
    assert watch.observe(assigned=2, partitions=4, lag=50, position=7) == (
        False, "50 message(s) behind and no progress for 61s")
    clock.now += 1
    assert watch.observe(assigned=2, partitions=4, lag=49, position=8) == (True, "ok")


def test_caught_up_and_quiet_is_ready() -> None:
    clock = Clock()
    watch = ProgressWatch(60, clock)
    for _ in range(5):
        clock.now += 100
        assert watch.observe(assigned=1, partitions=1, lag=0, position=3) == (True, "ok")


def test_no_partition_of_a_topic_that_has_some_is_not_ready_and_timed() -> None:
    clock = Clock()
    watch = ProgressWatch(60, clock)
    assert watch.observe(assigned=0, partitions=0, lag=0, position=0) == (True, "ok")  # topic not there yet
    assert watch.observe(assigned=0, partitions=4, lag=0, position=0) == (False, "no partition assigned (of 4)")
    clock.now += 45
    assert watch.unassigned_for() == 45
    assert watch.observe(assigned=1, partitions=4, lag=0, position=0)[0] and watch.unassigned_for() == 0


def test_health_follows_the_watch_and_says_why() -> None:
    clock = Clock()
    health, watch = Health("fetcher"), ProgressWatch(10, clock)
    health.progress(watch, assigned=0, partitions=2, lag=0, position=0)
    assert health.readiness() == (False, "no partition assigned (of 2)")
    health.progress(watch, assigned=1, partitions=2, lag=0, position=0)
    assert health.readiness() == (True, "ok")


def test_a_members_share_of_group_progress() -> None:
    progress = GroupProgress(lag={"t": 15}, committed={("t", 0): 100, ("t", 1): 40},
                             behind={("t", 0): 5, ("t", 1): 10, ("t", 2): 0})
    assert progress.share([("t", 1), ("t", 2), ("other", 0)]) == (2, 10, 40)
    assert progress.share([]) == (0, 0, 0)


# -- the supervisor's watch ------------------------------------------------------------------------------------
UNREADY_SERVER = """
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"status": "unavailable", "reason": sys.argv[2]}).encode()
        self.send_response(503); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


async def _unready(spec_name: str, name: str, reason: str, tmp_path: Path) -> Running:
    port = free_port()
    spec = next(s for s in SERVICES if s.name == spec_name)
    svc = Running(Instance(name, spec, port), tmp_path / f"{name}.log")
    svc.proc = await asyncio.create_subprocess_exec(sys.executable, "-c", UNREADY_SERVER, str(port), reason,
                                                    start_new_session=True)  # as the supervisor starts them
    svc.state, svc.started_at = "running", time.time()
    deadline = time.monotonic() + 20
    while (await asyncio.to_thread(readiness_of, f"{svc.instance.health_url}/health/ready"))[1].startswith("no answer"):
        assert time.monotonic() < deadline, "the test server did not start"
        await asyncio.sleep(0.1)
    return svc


def test_a_service_unready_past_the_limit_is_stopped_and_says_why(tmp_path: Path, caplog) -> None:
    settings = dataclasses.replace(load_settings(env={"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_PARTITIONS": "1"}),
                                   unready_restart_after=1.0, stop_timeout=5.0)

    async def scenario() -> tuple[Running, Running, Running]:
        stuck = await _unready("fetcher", "fetcher", "12 message(s) behind and no progress for 130s", tmp_path)
        idle = await _unready("worker", "worker-2", "no partition assigned (of 1)", tmp_path)
        busy = await _unready("worker", "worker-1", "12 message(s) behind and no progress for 130s", tmp_path)
        supervisor = Supervisor(settings, [], bootstrap="127.0.0.1:1", stop_broker=False)
        supervisor.services = [stuck, busy, idle]
        watch = asyncio.create_task(supervisor._watch_readiness(every=0.2))
        try:
            await asyncio.wait_for(asyncio.gather(stuck.proc.wait(), busy.proc.wait()), timeout=30)
            await asyncio.sleep(0.5)  # more looks at the idle one
        finally:
            supervisor.stopping.set()
            await watch
            for svc in (stuck, busy, idle):
                if svc.proc.returncode is None:
                    svc.proc.kill()
                    await svc.proc.wait()
        return stuck, busy, idle

    with caplog.at_level("WARNING", logger="marsad.supervisor"):
        stuck, busy, idle = asyncio.run(scenario())
    assert stuck.stopped_because.startswith("not ready for ") and "no progress for 130s" in stuck.stopped_because
    assert busy.stopped_because  # a stalled worker is restarted too
    assert idle.stopped_because == ""  # 2 workers, 1 partition: one idle worker is expected, not restarted
    assert "fetcher not ready for" in caplog.text and "restarting it" in caplog.text


def test_readiness_of_reads_the_reason(tmp_path: Path) -> None:
    async def scenario() -> tuple[bool, str]:
        svc = await _unready("fetcher", "fetcher", "no partition assigned (of 3)", tmp_path)
        try:
            return await asyncio.to_thread(readiness_of, f"{svc.instance.health_url}/health/ready")
        finally:
            svc.proc.kill()
            await svc.proc.wait()
    assert asyncio.run(scenario()) == (False, "no partition assigned (of 3)")
    assert readiness_of(f"http://127.0.0.1:{free_port()}/health/ready")[0] is False


# -- real fetchers, more than partitions -----------------------------------------------------------------------
@pytest.mark.kafka
def test_a_fetcher_without_a_partition_is_not_ready_and_takes_over_when_another_leaves(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    prefix = f"ready-{uuid.uuid4().hex[:8]}"
    create_topics(kafka_bootstrap, prefix, partitions=2)
    ports = [free_port() for _ in range(3)]
    procs = []
    for i, port in enumerate(ports):
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
               "MARSAD_DATA_DIR": str(tmp_path / f"f{i}"), "MARSAD_CONFIG": os.devnull, "MARSAD_PARTITIONS": "2",
               "MARSAD_FETCHER_METRICS_PORT": str(port), "MARSAD_READY_STALL_AFTER": "60"}
        log = (tmp_path / f"fetcher-{i}.log").open("w")
        procs.append(subprocess.Popen([MARSAD, "fetch"], env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        def states() -> list[tuple[bool, str]]:
            out = []
            for port in ports:
                try:
                    r = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
                    out.append((r.status_code == 200, json.loads(r.text)["reason"]))
                except httpx.TransportError:
                    out.append((False, "no answer"))
            return out

        def wait_for(condition, what: str) -> list[tuple[bool, str]]:
            deadline = time.monotonic() + 90
            while not condition(seen := states()):
                assert time.monotonic() < deadline, f"timed out waiting for {what}: {seen}"
                time.sleep(0.5)
            return seen

        seen = wait_for(lambda s: sum(ok for ok, _ in s) == 2 and any(r.startswith("no partition") for _, r in s),
                        "two ready fetchers and one without a partition")
        idle = next(i for i, (ok, _) in enumerate(seen) if not ok)
        assert seen[idle][1] == "no partition assigned (of 2)"
        leaving = next(i for i in range(3) if i != idle)
        procs[leaving].terminate()
        procs[leaving].wait(30)
        wait_for(lambda s: s[idle][0], "the idle fetcher to take over a partition")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


def _row(name: str, ready: bool | None, state: str = "running"):
    from marsad.deploy.services.control import ServiceStatus
    return ServiceStatus(name, state, 1, 1.0, 0, ready, None, None, "", "")


@pytest.mark.parametrize(("rows", "partitions", "expected"), [
    ([("fetcher", True), ("worker-1", True), ("api", True)], 4, True),
    ([("fetcher", False), ("worker-1", True)], 4, False),
    ([("worker-1", True), ("worker-2", False)], 1, True),  # one worker beyond the partition: idle by design
    ([("worker-1", False), ("worker-2", False)], 1, False),
    ([("worker-1", True), ("worker-2", False)], 2, False),
    ([("poller", None), ("worker-1", True)], 4, True),  # no port: not asked
    ([("fetcher-1", True), ("fetcher-2", False)], 1, True),  # a fetcher beyond the partition: idle by design
    ([("fetcher-1", True), ("fetcher-2", False)], 2, False),
], ids=["all", "fetcher-unready", "idle-worker", "two-unready-workers", "worker-with-partitions", "no-port",
        "idle-fetcher", "fetcher-with-partitions"])
def test_up_waits_for_every_service_but_idle_workers(rows: list, partitions: int, expected: bool) -> None:
    from marsad.deploy.services.control import all_ready
    assert all_ready([_row(n, r) for n, r in rows], partitions) is expected
