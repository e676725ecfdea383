"""Faust's ``/router/`` (the cluster's worker URLs) and ``/table/`` (table contents) stay on loopback.

The Dockerfile, compose file and Kubernetes config bind the worker's and
alerter's web servers to every interface (their health probes come from
outside the container), so there those two Faust views must be off; on
loopback (`marsad up`, the default) they stay for debugging.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from marsad.runtime.settings import load_settings
from marsad.streams.faust_app import faust_app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def deploy_web_hosts() -> dict[str, str]:
    """MARSAD_WORKER_WEB_HOST as each deployment file sets it."""
    dockerfile = re.search(r"MARSAD_WORKER_WEB_HOST=(\S+)", (DEPLOY / "Dockerfile").read_text()).group(1)
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["x-marsad"]["environment"]
    configmap = next(d for d in yaml.safe_load_all((DEPLOY / "k8s" / "configmap.yaml").read_text())
                     if d and d.get("kind") == "ConfigMap")["data"]
    return {"Dockerfile": dockerfile, "docker-compose.yml": compose["MARSAD_WORKER_WEB_HOST"],
            "k8s/configmap.yaml": configmap["MARSAD_WORKER_WEB_HOST"]}


def served_prefixes(host: str, tmp_path: Path) -> set[str]:
    settings = load_settings(env={"MARSAD_WORKER_WEB_HOST": host, "MARSAD_DATA_DIR": str(tmp_path)})
    app = faust_app("exposure-test", settings, datadir=tmp_path, web_port=6066)
    return {prefix for prefix, _ in app.web._enabled_blueprints()}


@pytest.mark.parametrize("where", deploy_web_hosts())
def test_deployments_bind_all_interfaces_without_router_and_table(where: str, tmp_path: Path) -> None:
    host = deploy_web_hosts()[where]
    assert host == "0.0.0.0"  # what the probes need; if this changes, so may the rest of this test
    assert not {"/router", "/table"} & served_prefixes(host, tmp_path)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_keeps_them_for_debugging(host: str, tmp_path: Path) -> None:
    assert {"/router", "/table"} <= served_prefixes(host, tmp_path)
