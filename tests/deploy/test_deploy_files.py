"""The deployment files (Dockerfile, compose, Kubernetes, systemd) cannot run here.

So they are checked for what can go wrong without Docker or a cluster: they
parse, every marsad command they run exists with the options they pass,
every setting they set is one marsad knows, the probes point at the ports
the services listen on by default, and the systemd units pass
`systemd-analyze verify` where it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from marsad.deploy.cli.main import cli
from marsad.runtime.settings import OPTIONS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROOT = DEPLOY.parent
KNOWN_ENV = {opt.env for opt in OPTIONS.values()}
# Variables the files set for themselves, not marsad settings.
OWN_ENV = {"HEALTH_PORT", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}


def resolve(args: list[str]) -> click.Command:
    """The marsad (sub)command that `marsad ARGS` runs; fails on an unknown command or option."""
    command: click.Command = cli
    words = list(args)
    while words and isinstance(command, click.Group) and not words[0].startswith("-"):
        name = words.pop(0)
        assert name in command.commands, f"`marsad {' '.join(args)}`: no command {name!r}"
        command = command.commands[name]
    assert command is not cli, f"`marsad {' '.join(args)}` names no command"
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for word in words:
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"`marsad {' '.join(args)}`: no option {word}"
    return command


def settings_env(mapping: dict[str, object]) -> set[str]:
    return {k for k in mapping if k.startswith(("MARSAD_", "KAFKA_"))} - {"KAFKA_NODE_ID"}


# --- compose ------------------------------------------------------------------
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def marsad_services() -> dict[str, dict]:
    return {name: svc for name, svc in compose()["services"].items() if svc.get("image", "").startswith("marsad")}


def test_compose_runs_every_service_with_commands_that_exist() -> None:
    services = marsad_services()
    assert {"topics", "poller", "fetcher", "worker", "alerter", "deliver", "views", "api"} <= set(services)
    for svc in services.values():
        resolve(svc["command"])


def test_compose_sets_only_known_settings() -> None:
    for name, svc in marsad_services().items():
        env = svc.get("environment", {})
        unknown = {k for k in env if k not in KNOWN_ENV and k not in OWN_ENV}
        assert not unknown, f"compose service {name} sets unknown variables {unknown}"


def test_compose_health_checks_use_the_services_default_ports() -> None:
    services = marsad_services()
    assert int(services["worker"]["environment"]["HEALTH_PORT"]) == OPTIONS["worker_web_port"].default
    assert int(services["alerter"]["environment"]["HEALTH_PORT"]) == OPTIONS["alerter_web_port"].default
    assert int(services["api"]["environment"]["HEALTH_PORT"]) == OPTIONS["api_port"].default
    for name, setting in (("poller", "producer_metrics_port"), ("fetcher", "fetcher_metrics_port"),
                          ("views", "views_metrics_port"), ("deliver", "deliver_metrics_port")):
        port = int(services[name]["environment"]["HEALTH_PORT"])
        assert port == OPTIONS[setting].default, f"compose {name}: health port {port}"
    for name, svc in services.items():
        if name != "topics":
            assert "healthcheck" in svc, f"compose service {name} has no health check"


# --- kubernetes ---------------------------------------------------------------
def manifests() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def containers(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"]


def test_manifests_parse_and_run_commands_that_exist() -> None:
    docs = manifests()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for name in ("poller", "fetcher", "worker", "alerter", "deliver", "views", "api"):
        assert ("Deployment", f"marsad-{name}") in kinds
    assert ("ConfigMap", "marsad-config") in kinds
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            for c in containers(doc):
                resolve(c["args"])
                for e in c.get("env", []):
                    assert e["name"] in KNOWN_ENV, f"{doc['metadata']['name']}: unknown variable {e['name']}"


def test_configmap_holds_only_known_settings() -> None:
    (config,) = [d for d in manifests() if d["kind"] == "ConfigMap"]
    assert set(config["data"]) <= KNOWN_ENV


def test_workers_scale_by_replicas_within_the_partitions() -> None:
    docs = {d["metadata"]["name"]: d for d in manifests()}
    partitions = int(docs["marsad-config"]["data"]["MARSAD_PARTITIONS"])
    assert 1 < docs["marsad-worker"]["spec"]["replicas"] <= partitions
    port = containers(docs["marsad-worker"])[0]["ports"][0]["containerPort"]
    assert port == OPTIONS["worker_web_port"].default


def test_probes_use_the_services_default_ports() -> None:
    docs = {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Deployment"}
    settings = {"poller": "producer_metrics_port", "fetcher": "fetcher_metrics_port", "worker": "worker_web_port", "alerter": "alerter_web_port",
                "deliver": "deliver_metrics_port", "views": "views_metrics_port", "api": "api_port"}
    for name, setting in settings.items():
        (container,) = containers(docs[f"marsad-{name}"])
        assert container["ports"][0]["containerPort"] == OPTIONS[setting].default, name


# --- systemd ------------------------------------------------------------------
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def exec_args(unit: Path) -> list[str]:
    (line,) = [ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart=")]
    binary, *args = line.removeprefix("ExecStart=").split()
    assert binary == "/opt/marsad/bin/marsad"
    return [a.replace("%i", "6066") for a in args]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_units_run_commands_that_exist(unit: Path) -> None:
    resolve(exec_args(unit))


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # The units name the installed paths (/opt/marsad, /etc/marsad, user marsad);
    # verify copies that point at this checkout's marsad instead.
    marsad = Path(sys.executable).with_name("marsad")
    env = tmp_path / "marsad.env"
    env.write_text((DEPLOY / "systemd" / "marsad.env.example").read_text())
    names = []
    for src in [*UNITS, DEPLOY / "systemd" / "marsad.target"]:
        name = src.name.replace("@.service", "@6066.service")
        text = (src.read_text().replace("/opt/marsad/bin/marsad", str(marsad))
                .replace("/etc/marsad/marsad.env", str(env)).replace("/var/lib/marsad", str(tmp_path))
                .replace("User=marsad", "User=root").replace("Group=marsad", "Group=root"))
        (tmp_path / name).write_text(text)
        names.append(name)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- Dockerfile ---------------------------------------------------------------
def test_dockerfile_copies_what_exists_and_runs_marsad() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _dest = line.split()[1:]
            for src in sources:
                assert (ROOT / src).exists(), f"Dockerfile copies {src}, which does not exist"
    assert 'ENTRYPOINT ["marsad"]' in text
