"""The supervisor's pure parts: backoff, the service plan and its ports, exits, figures, health."""

from __future__ import annotations

import pytest

from marsad.deploy.services.control import ServiceStatus, ps_table
from marsad.deploy.services.registry import SERVICES, plan
from marsad.deploy.services.supervisor import backoff, describe_exit
from marsad.runtime.health import Health
from marsad.runtime.settings import OPTIONS, load_settings


@pytest.mark.parametrize(("failures", "seconds"), [(0, 1), (1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (30, 60)])
def test_backoff_doubles_from_1_s_to_60_s(failures, seconds):
    assert backoff(failures) == seconds


@pytest.mark.parametrize(("code", "text"), [(0, "exit code 0"), (1, "exit code 1"), (-9, "killed by SIGKILL"),
                                            (-15, "killed by SIGTERM")])
def test_exits_are_described(code, text):
    assert describe_exit(code) == text


def test_every_service_port_is_a_setting_and_runs_a_marsad_command():
    for spec in SERVICES:
        assert not spec.port_setting or spec.port_setting in OPTIONS, spec
        assert spec.command and spec.help, spec


def test_plan_gives_each_worker_its_own_port_and_data_dir_away_from_the_other_services():
    settings = load_settings(env={"MARSAD_DATA_DIR": "/srv/marsad"})
    instances = plan(settings, workers=3, skip=("alerter", "deliver"))
    names = [i.name for i in instances]
    assert names == ["poller", "fetcher", "worker-1", "worker-2", "worker-3", "views", "api"]
    ports = [i.port for i in plan(settings, workers=3)]
    assert len(ports) == len(set(ports)), ports  # the extra workers skip 6067-6071
    workers = [i for i in instances if i.spec.name == "worker"]
    assert [w.port for w in workers] == [6066, 6072, 6073]
    assert [w.env["MARSAD_DATA_DIR"] for w in workers] == [f"/srv/marsad/workers/worker-{n}" for n in (1, 2, 3)]
    assert all(w.env["MARSAD_WORKER_WEB_PORT"] == str(w.port) for w in workers)


def test_plan_numbers_fetchers_when_more_than_one_each_with_its_own_port():
    settings = load_settings(env={"MARSAD_DATA_DIR": "/srv/marsad"})
    instances = plan(settings, workers=2, fetchers=2, skip=("alerter", "deliver", "api"))
    assert [i.name for i in instances] == ["poller", "fetcher-1", "fetcher-2", "worker-1", "worker-2", "views"]
    ports = [i.port for i in instances]
    assert len(ports) == len(set(ports)), ports
    fetchers = [i for i in instances if i.spec.name == "fetcher"]
    assert fetchers[0].port == settings.fetcher_metrics_port
    assert all(f.env == {"MARSAD_FETCHER_METRICS_PORT": str(f.port)} for f in fetchers)  # no data dir of their own


def test_plan_refuses_an_unknown_service_name():
    with pytest.raises(ValueError, match="no service nope; the services are poller, fetcher, worker"):
        plan(load_settings(env={}), skip=("nope",))


def test_health_is_live_while_it_beats_and_ready_once_told():
    health = Health("views", stall_after=60)
    assert health.live() == (True, "ok")
    assert health.readiness() == (False, "starting")
    health.ready()
    assert health.readiness() == (True, "ok")
    health._beat -= 61
    live, why = health.live()
    assert not live and why.startswith("no heartbeat for 61")


def test_ps_table_shows_dashes_for_what_a_service_does_not_have():
    rows = [ServiceStatus("producer", "running", 10, 75.0, 0, True, None, None, "", "p.log"),
            ServiceStatus("worker-1", "backoff", None, None, 2, None, 0, None, "killed by SIGKILL", "w.log")]
    lines = ps_table(rows).splitlines()
    assert lines[0].split() == ["service", "state", "pid", "uptime", "restarts", "ready", "lag", "last", "event",
                                "last", "exit"]
    assert lines[1].split() == ["producer", "running", "10", "1m15s", "0", "yes", "-", "-", "-"]
    assert lines[2].split()[:7] == ["worker-1", "backoff", "-", "-", "2", "-", "0"]
