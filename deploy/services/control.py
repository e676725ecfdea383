"""`marsad up`, `marsad down`, `marsad ps`: the commands around the supervisor.

They run in the user's terminal and talk to the supervisor through its pid
file and state file (`marsad.deploy.services.state`); the figures of `ps` come from
Kafka (lag) and from each service's own /metrics and /health/ready.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from marsad.deploy.kafka.local import port_free
from marsad.deploy.services.registry import SERVICES, Instance, plan
from marsad.deploy.services.state import Paths, kill_leftovers, read_state, supervisor_pid, wait_gone
from marsad.runtime.kafka.connection import KafkaConnection
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.metrics import parse_figures
from marsad.runtime.settings import OPTIONS, Settings, as_environment, passed_on
from marsad.runtime.table import render
from marsad.schemas.topics import Topics

UP_WAIT = 180.0  # seconds `marsad up` waits for every service to be ready

Echo = Callable[[str], None]


class ServicesError(RuntimeError):
    """`marsad up/down/ps` cannot do what was asked; the message says why and what to do."""


# -- up ---------------------------------------------------------------------------------------------------
def up(settings: Settings, *, workers: int, foreground: bool, echo: Echo, skip: tuple[str, ...] = (),
       fetchers: int = 1) -> None:
    """Start the broker (local, unless a cluster is configured), the topics, then the supervisor."""
    paths = Paths(settings.data_path)
    running = supervisor_pid(paths)
    if running:
        echo(f"marsad is already running (supervisor pid {running}); `marsad ps` shows it, `marsad down` stops it")
        return
    try:
        instances = plan(settings, workers=workers, fetchers=fetchers, skip=skip)
    except ValueError as e:
        raise ServicesError(str(e)) from None
    check_ports(settings, instances)
    bootstrap, stop_broker = _broker(settings, echo)
    from marsad.runtime.kafka.admin import create_topics
    created = create_topics(bootstrap, settings.topic_prefix, settings.partitions, settings.replication_factor,
                            settings.min_insync_replicas)
    echo(f"topics: {len(created)} created" if created else "topics: all exist")
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.state_file.unlink(missing_ok=True)
    names = ", ".join(i.name for i in instances)
    if foreground:
        from marsad.deploy.services.supervisor import Supervisor
        echo(f"starting {names} (Ctrl-C stops them all)")
        asyncio.run(Supervisor(settings, instances, bootstrap=bootstrap.servers, stop_broker=stop_broker).run())
        return
    echo(f"starting {names}; logs in {paths.logs}")
    proc = _spawn_supervisor(settings, paths, bootstrap, workers, fetchers, stop_broker, skip)
    _wait_ready(settings, paths, proc, echo)


def check_ports(settings: Settings, instances: list[Instance]) -> None:
    """Refuse to start when a service's port is taken, naming the setting to change."""
    for i in instances:
        if i.port and not port_free(i.port):
            raise ServicesError(f"port {i.port} of {i.name} is in use on 127.0.0.1: set "
                                f"{OPTIONS[i.spec.port_setting].env} to a free port (or stop what uses it)")


def _broker(settings: Settings, echo: Echo) -> tuple[KafkaConnection, bool]:
    """The cluster (address and security), and whether `marsad down` should stop the broker (we started it)."""
    if not settings.uses_local_broker:
        from marsad.runtime.preflight import require_kafka
        kafka = connection_for(settings)
        require_kafka(kafka, settings.kafka_connect_timeout)
        echo(f"kafka: {settings.bootstrap_servers} (KAFKA_BOOTSTRAP_SERVERS, {settings.kafka_security_protocol})")
        return kafka, False
    from marsad.deploy.kafka.jars import ToolMissing
    from marsad.deploy.kafka.local import BrokerError
    from marsad.deploy.kafka.reach import local_kafka
    try:
        local = local_kafka(settings)
        was_running = local.pid() is not None
        status = local.start(quiet=True)
    except (ToolMissing, BrokerError) as e:
        raise ServicesError(str(e)) from None
    echo(f"kafka: {status.bootstrap} ({status.label}"
         + (", already running: `marsad down` leaves it)" if was_running else ")"))
    return status.connection, not was_running


def _spawn_supervisor(settings: Settings, paths: Paths, bootstrap: KafkaConnection, workers: int, fetchers: int,
                      stop_broker: bool, skip: tuple[str, ...]) -> subprocess.Popen:
    env = {**os.environ, **passed_on(settings, "log_format", "log_level"),
           **as_environment(data_dir=Path(settings.data_dir).resolve())}
    cmd = [sys.executable, "-m", "marsad.deploy.services.supervisor", "--bootstrap", bootstrap.servers, "--workers", str(workers),
           "--fetchers", str(fetchers), *(f"--skip={name}" for name in skip)]
    if stop_broker:
        cmd.append("--stop-broker")
    with open(paths.log("supervisor"), "ab") as out:
        return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _wait_ready(settings: Settings, paths: Paths, proc: subprocess.Popen, echo: Echo) -> None:
    deadline = time.monotonic() + UP_WAIT
    while True:
        if proc.poll() is not None:
            tail = paths.log("supervisor").read_text(errors="replace")[-3000:]
            raise ServicesError(f"the supervisor exited with code {proc.returncode}; "
                                f"{paths.log('supervisor')}:\n{tail}")
        rows = status(settings)
        state = read_state(paths.state_file) or {}
        if rows is not None and state.get("phase") == "running" and all_ready(rows, settings.partitions):
            break
        if time.monotonic() > deadline:
            echo(f"not every service is ready after {UP_WAIT:.0f}s (they keep starting; see the logs):")
            break
        time.sleep(0.5)
    echo(ps_table(status(settings, with_lag=False) or []))
    echo(f"\nlogs: {paths.logs}   status: marsad ps   stop: marsad down")


def all_ready(rows: list[ServiceStatus], partitions: int) -> bool:
    """Every service runs and is ready, but workers (or fetchers) beyond the partitions, idle by design."""
    if not all(r.state == "running" for r in rows):
        return False
    for kind in ("worker-", "fetcher-"):
        instances = sum(r.name.startswith(kind) for r in rows)
        if sum(r.name.startswith(kind) and r.ready is False for r in rows) > max(0, instances - partitions):
            return False
    return not [r for r in rows if r.ready is False and not r.name.startswith(("worker-", "fetcher-"))]


# -- down -------------------------------------------------------------------------------------------------
def down(settings: Settings, *, echo: Echo) -> bool:
    """Stop the supervisor (it stops the services in reverse order, then the broker it started).

    Returns False when nothing was running. A supervisor that does not stop
    in time is killed, and the services it left are killed too.
    """
    paths = Paths(settings.data_path)
    pid = supervisor_pid(paths)
    state = read_state(paths.state_file) or {}
    if pid is None:
        leftovers = kill_leftovers(state)
        if leftovers:
            echo(f"the supervisor was not running; killed what it left: {', '.join(leftovers)}")
        if state.get("stop_broker") and state.get("phase") != "stopped":
            _stop_local_broker(settings, echo)
        if not leftovers:
            echo("marsad is not running")
        return bool(leftovers)
    n = len(state.get("services", []))
    echo(f"stopping {n} service(s) in reverse order (supervisor pid {pid})")
    os.kill(pid, signal.SIGTERM)
    shown: set[str] = set()
    deadline = time.monotonic() + settings.stop_timeout * (n + 1) + 60
    while time.monotonic() < deadline and not wait_gone(pid, 0.3):
        _show_stopped(paths, shown, echo)
    _show_stopped(paths, shown, echo)
    if not wait_gone(pid, 0):
        echo("the supervisor did not stop in time: killing it and what it left")
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid, 10)
        kill_leftovers(read_state(paths.state_file) or state)
        if state.get("stop_broker"):
            _stop_local_broker(settings, echo)
        paths.pid_file.unlink(missing_ok=True)
    elif state.get("stop_broker"):
        echo("  local broker stopped")
    echo("stopped")
    return True


def _show_stopped(paths: Paths, shown: set[str], echo: Echo) -> None:
    """Print the services stopped since last time, in the order they stop (reverse start order)."""
    for svc in reversed((read_state(paths.state_file) or {}).get("services", [])):
        if svc["name"] in shown:
            continue
        if svc["state"] != "stopped":
            return
        shown.add(svc["name"])
        echo(f"  {svc['name']:<10} stopped ({svc['last_exit'] or 'not running'})")


def _stop_local_broker(settings: Settings, echo: Echo) -> None:
    from marsad.deploy.kafka.reach import local_kafka
    if local_kafka(settings).stop(quiet=True):
        echo("local broker stopped")


# -- ps ---------------------------------------------------------------------------------------------------
@dataclass
class ServiceStatus:
    name: str
    state: str
    pid: int | None
    uptime: float | None  # seconds
    restarts: int
    ready: bool | None  # None: not asked (no port, or not running)
    lag: int | None  # messages behind, None: not a consumer or unknown
    last_event: float | None  # unix time
    last_exit: str
    log: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status(settings: Settings, *, with_lag: bool = True) -> list[ServiceStatus] | None:
    """Each service's figures, or None when no supervisor runs."""
    paths = Paths(settings.data_path)
    state = read_state(paths.state_file)
    if supervisor_pid(paths) is None or state is None:
        return None
    lags = service_lags(settings, state) if with_lag else {}
    now = time.time()
    out = []
    for svc in state["services"]:
        up = svc["state"] == "running" and svc["pid"]
        url = svc["health_url"] if up else ""
        figures = _figures(url, settings.api_token if svc["service"] == "api" else "")
        last = figures.get("marsad_last_event_timestamp_seconds") or None
        out.append(ServiceStatus(
            name=svc["name"], state=svc["state"], pid=svc["pid"], uptime=now - svc["started_at"] if up else None,
            restarts=svc["restarts"], ready=_answers(f"{url}/health/ready") if url else None,
            lag=lags.get(svc["service"]), last_event=last, last_exit=svc["last_exit"], log=svc["log"]))
    return out


def service_lags(settings: Settings, state: dict[str, Any]) -> dict[str, int | None]:
    """Lag per service kind (workers share their group's), from Kafka and the views database."""
    from marsad.runtime.lag import LagProbe
    topics = Topics(state.get("topic_prefix") or settings.topic_prefix)
    kinds = {svc["service"] for svc in state["services"]}
    out: dict[str, int | None] = {}
    try:
        probe = LagProbe(connection_for(settings).at(state["bootstrap"]))
    except Exception:  # the broker is away: lag unknown
        return {}
    try:
        for spec in SERVICES:
            if spec.name not in kinds or spec.lag is None:
                continue
            try:
                if spec.lag.views:  # the views `up` started: their URL is in the state (older states: the settings)
                    offsets = _views_offsets(state.get("views_url") or _settings_views_url(settings))
                    from marsad.consumers.service import view_topics  # articles, alerts, incidents
                    names = {t for t, _ in offsets} | set(view_topics(topics))
                    out[spec.name] = sum(probe.stored(offsets, sorted(names)).values())
                else:
                    out[spec.name] = sum(probe.group(spec.lag.group_id(topics), spec.lag.topic_names(topics)).values())
            except Exception:
                out[spec.name] = None
    finally:
        probe.close()
    return out


def _settings_views_url(settings: Settings) -> str:
    from marsad.deploy.cli.views import views_url
    return views_url(settings)


def _views_offsets(url: str) -> dict[tuple[str, int], int]:
    """The offsets the views at ``url`` store (read-only: `ps` never creates nor migrates a database)."""
    from marsad.consumers.store import open_store
    with open_store(url, read_only=True) as store:
        return dict(store.offsets())


def _figures(url: str, token: str) -> dict[str, float]:
    if not url:
        return {}
    request = urllib.request.Request(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=2) as r:
            return parse_figures(r.read().decode())
    except (OSError, ValueError):  # down, or not a metrics page
        return {}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def ps_table(rows: list[ServiceStatus]) -> str:
    header = ("service", "state", "pid", "uptime", "restarts", "ready", "lag", "last event", "last exit")
    now = time.time()
    return render(header, [(
        r.name, r.state, str(r.pid or "-"), _duration(r.uptime) if r.uptime is not None else "-",
        str(r.restarts), {True: "yes", False: "no", None: "-"}[r.ready], "-" if r.lag is None else str(r.lag),
        f"{_duration(now - r.last_event)} ago" if r.last_event else "-", r.last_exit or "-") for r in rows],
        max_width=None)


def _duration(seconds: float) -> str:
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"
