"""The supervisor behind `marsad up`: runs the services, restarts the ones that crash, stops them in order.

    python -m marsad.deploy.services.supervisor --bootstrap HOST:PORT [--workers N] [--fetchers N] [--stop-broker]

`marsad up` starts the broker and the topics itself (so their errors reach
the terminal), then this process, detached, with its output in
``{data_dir}/logs/supervisor.log``. What it does, in order:

1. write its pid file; SIGTERM/SIGINT ask for a stop;
2. start each service of `marsad.deploy.services.registry` as its own process
   (its own process group, its output in ``logs/{name}.log``), waiting until
   one answers on ``/health/live`` (or a start-up timeout) before the next;
3. when a service exits without being asked to, log it and start it again
   after a backoff doubling from 1 s to 60 s (back to 1 s once it ran for a
   minute), counting the restarts; a service whose ``/health/ready`` stays
   503 for ``unready_restart_after`` seconds is stopped (and so restarted),
   saying why (an idle worker, when there are more workers than partitions,
   is left alone);
4. on a stop: stop the services in reverse order, each with SIGTERM, then
   SIGKILL after ``stop_timeout`` seconds (producers flush, consumers commit
   on SIGTERM); stop the local broker if `marsad up` started it; remove
   the pid file.

Every change is written to ``services/state.json`` for `marsad ps` and `marsad down`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.deploy.services.registry import Instance, plan
from marsad.deploy.services.state import Paths, kill_group, write_state
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.settings import OPTIONS, Settings, load_settings, passed_on

log = logging.getLogger("marsad.supervisor")

BASE_BACKOFF = 1.0  # seconds before the first restart
MAX_BACKOFF = 60.0
STABLE_AFTER = 60.0  # a run this long resets the backoff
START_WAIT = 30.0  # seconds to wait for a service's /health/live before starting the next anyway
READY_CHECK = 5.0  # seconds between two looks at every service's /health/ready


# `python -m marsad.deploy.cli.main` would load marsad.deploy.cli.main twice (as __main__ and when a command module imports it)
ENTRY = "from marsad.deploy.cli.main import main; main()"


@dataclass
class Running:
    """The supervisor's record of one instance."""

    instance: Instance
    log_file: Path
    proc: asyncio.subprocess.Process | None = None
    state: str = "waiting"  # waiting, running, backoff, stopping, stopped
    started_at: float = 0.0
    restarts: int = 0
    failures: int = 0  # consecutive short runs: the backoff's exponent
    last_exit: str = ""
    unready_since: float | None = None  # time.monotonic() of the first of a series of not-ready answers
    stopped_because: str = ""  # why the supervisor stopped it (it is restarted like a crash)

    def as_dict(self) -> dict[str, Any]:
        i = self.instance
        return {"name": i.name, "service": i.spec.name, "command": ["marsad", *i.spec.command],
                "state": self.state, "pid": self.proc.pid if self.proc and self.state != "stopped" else None,
                "started_at": self.started_at, "restarts": self.restarts, "last_exit": self.last_exit,
                "log": str(self.log_file), "health_url": i.health_url, "port": i.port}


def describe_exit(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"


def backoff(failures: int) -> float:
    """Seconds before restarting after ``failures`` consecutive short runs (1, 2, 4, ... 60)."""
    return min(MAX_BACKOFF, BASE_BACKOFF * 2 ** max(0, failures - 1))


class Supervisor:
    def __init__(self, settings: Settings, instances: list[Instance], *, bootstrap: str, stop_broker: bool) -> None:
        self.settings = settings
        self.paths = Paths(settings.data_path)
        self.bootstrap = bootstrap
        self.stop_broker = stop_broker
        self.services = [Running(i, self.paths.log(i.name)) for i in instances]
        self.stopping = asyncio.Event()
        self.started_at = time.time()
        self.phase = "starting"

    # -- the whole life ----------------------------------------------------------------------------------
    async def run(self) -> None:
        self.paths.root.mkdir(parents=True, exist_ok=True)
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        self.paths.pid_file.write_text(str(os.getpid()))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._ask_stop, sig)
        self._save()
        tasks = []
        try:
            for svc in self.services:
                if self.stopping.is_set():
                    break
                tasks.append(asyncio.create_task(self._keep_running(svc)))
                await self._wait_live(svc)
            if not self.stopping.is_set():
                self.phase = "running"
                self._save()
                log.info("all %d service(s) started", len(self.services))
            tasks.append(asyncio.create_task(self._watch_readiness()))
            await self.stopping.wait()
        finally:
            self.phase = "stopping"
            self.stopping.set()
            for svc in reversed(self.services):
                await self._stop(svc)
            await asyncio.gather(*tasks, return_exceptions=True)
            for svc in reversed(self.services):  # one that was being started when the stop came
                await self._stop(svc)
            if self.stop_broker:
                await asyncio.to_thread(self._stop_broker)
            self.phase = "stopped"
            self._save()
            self.paths.pid_file.unlink(missing_ok=True)
            log.info("stopped")

    def _ask_stop(self, sig: int) -> None:
        if not self.stopping.is_set():
            log.info("%s: stopping the services in reverse order", signal.Signals(sig).name)
        self.stopping.set()

    # -- one service ---------------------------------------------------------------------------------------
    async def _keep_running(self, svc: Running) -> None:
        """Start ``svc``; whenever it exits unasked, start it again after a backoff."""
        while not self.stopping.is_set():
            await self._spawn(svc)
            assert svc.proc is not None
            code = await svc.proc.wait()
            if self.stopping.is_set():
                return
            ran = time.time() - svc.started_at
            svc.failures = 1 if ran >= STABLE_AFTER else svc.failures + 1
            svc.restarts += 1
            svc.last_exit = svc.stopped_because or describe_exit(code)
            svc.stopped_because, svc.unready_since = "", None
            delay = backoff(svc.failures)
            svc.state = "backoff"
            self._save()
            log.warning("%s (pid %d) %s after %.0fs; restart %d in %.0fs (log: %s)", svc.instance.name,
                        svc.proc.pid, svc.last_exit, ran, svc.restarts, delay, svc.log_file)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=delay)

    async def _spawn(self, svc: Running) -> None:
        i = svc.instance
        env = {**os.environ, **self._env(), **i.env}
        if (own := i.env.get(OPTIONS["data_dir"].env)) is not None:  # a worker's own (its table store)
            Path(own).mkdir(parents=True, exist_ok=True)
        with open(svc.log_file, "ab") as out:
            svc.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", ENTRY, *i.spec.command, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        svc.started_at = time.time()
        svc.state = "running"
        self._save()
        log.info("%s started (pid %d): marsad %s", i.name, svc.proc.pid, " ".join(i.spec.command))

    def _env(self) -> dict[str, str]:
        """What every service is told: the cluster (address and security), and the settings this supervisor
        was given."""
        s = self.settings
        return {**connection_for(s).at(self.bootstrap).environment(),
                **passed_on(s, "data_dir", "topic_prefix", "log_format", "log_level"), "PYTHONUNBUFFERED": "1"}

    async def _watch_readiness(self, every: float = READY_CHECK) -> None:
        """Stop (so restart) a service not ready for longer than ``unready_restart_after``, saying why."""
        limit = self.settings.unready_restart_after
        while limit and not self.stopping.is_set():
            for svc in self.services:
                if svc.state != "running" or not svc.instance.health_url or svc.stopped_because:
                    svc.unready_since = None
                    continue
                ok, reason = await asyncio.to_thread(readiness_of, f"{svc.instance.health_url}/health/ready")
                now = time.monotonic()
                svc.unready_since = None if ok else (svc.unready_since or now)
                if ok or self._idle_by_design(svc, reason) or now - (svc.unready_since or now) < limit:
                    continue
                svc.stopped_because = f"not ready for {now - svc.unready_since:.0f}s ({reason})"
                log.warning("%s %s: restarting it", svc.instance.name, svc.stopped_because)
                assert svc.proc is not None
                await self._stop_for_restart(svc.proc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=every)

    def _idle_by_design(self, svc: Running, reason: str) -> bool:
        """A scaled service with more instances than partitions: one without a partition is expected."""
        spec = svc.instance.spec
        instances = sum(1 for s in self.services if s.instance.spec is spec)
        return bool(spec.scales) and instances > self.settings.partitions and reason.startswith("no partition")

    async def _stop_for_restart(self, proc: asyncio.subprocess.Process) -> None:
        """SIGTERM (a graceful stop), SIGKILL after ``stop_timeout``; `_keep_running` starts it again."""
        kill_group(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=self.settings.stop_timeout)
        except TimeoutError:
            kill_group(proc.pid, signal.SIGKILL)

    async def _wait_live(self, svc: Running) -> None:
        """Wait until ``svc`` answers on /health/live (services without a port: until it runs a moment)."""
        url = svc.instance.health_url
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline and not self.stopping.is_set():
            if svc.state == "running" and (await asyncio.to_thread(answers, f"{url}/health/live") if url
                                           else time.time() - svc.started_at > 1):
                return
            await asyncio.sleep(0.25)
        if not self.stopping.is_set():
            log.warning("%s did not answer on %s/health/live within %.0fs; starting the next service",
                        svc.instance.name, url, START_WAIT)

    async def _stop(self, svc: Running) -> None:
        proc = svc.proc
        if proc is None or proc.returncode is not None:
            svc.state = "stopped"
            self._save()
            return
        svc.state = "stopping"
        self._save()
        log.info("stopping %s (pid %d)", svc.instance.name, proc.pid)
        kill_group(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=self.settings.stop_timeout)
        except TimeoutError:
            log.warning("%s did not stop within %.0fs: SIGKILL", svc.instance.name, self.settings.stop_timeout)
            kill_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        kill_group(proc.pid, signal.SIGKILL)  # anything the service left in its group
        svc.state = "stopped"
        svc.last_exit = describe_exit(proc.returncode or 0)
        self._save()
        log.info("%s stopped (%s)", svc.instance.name, svc.last_exit)

    def _stop_broker(self) -> None:
        from marsad.deploy.kafka.reach import local_kafka
        log.info("stopping the local broker `marsad up` started")
        local_kafka(self.settings).stop(quiet=True)

    def state(self) -> dict[str, Any]:
        """What `marsad ps` and `marsad down` read in the state file: the services, and where the cluster
        and the views are, so that `ps` needs no variable `up` was given (its lag of the views is read
        from the offsets they store, in the database the views service writes)."""
        from marsad.consumers.store import default_url
        return {"supervisor_pid": os.getpid(), "phase": self.phase, "started_at": self.started_at,
                "bootstrap": self.bootstrap, "stop_broker": self.stop_broker,
                "topic_prefix": self.settings.topic_prefix,
                "views_url": self.settings.views_url or default_url(self.settings.data_dir),
                "services": [s.as_dict() for s in self.services]}

    def _save(self) -> None:
        write_state(self.paths.state_file, self.state())


def readiness_of(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    """Is the service at ``url`` (its /health/ready) ready, and if not, the reason it gives."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200, "ok"
    except urllib.error.HTTPError as e:
        try:
            reason = json.loads(e.read() or b"{}").get("reason") or f"HTTP {e.code}"
        except ValueError:
            reason = f"HTTP {e.code}"
        return False, str(reason)
    except OSError as e:
        return False, f"no answer ({e})"


def answers(url: str, timeout: float = 1.0) -> bool:
    """Does ``url`` answer 200?"""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m marsad.deploy.services.supervisor", description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--fetchers", type=int, default=1)
    parser.add_argument("--stop-broker", action="store_true", help="stop the local broker when stopping")
    parser.add_argument("--skip", action="append", default=[], help="a service not to run")
    args = parser.parse_args(argv)
    from marsad.runtime.logs import setup_logging
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    supervisor = Supervisor(settings, plan(settings, workers=args.workers, fetchers=args.fetchers,
                                           skip=tuple(args.skip)), bootstrap=args.bootstrap,
                            stop_broker=args.stop_broker)
    asyncio.run(supervisor.run())


if __name__ == "__main__":
    main()
