"""The real `marsad api` on 127.0.0.1 for the API and dashboard tests, and the views it serves.

``start_api`` runs the command over a views URL (its log in a file) and
waits until /health answers; ``backend_views`` gives a module's fixture a
fresh views URL on the backend it is parametrised with (SQLite or PostgreSQL).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from marsad.deploy.kafka.local import free_port
from tests.conftest import ROOT
from tests.consumers.conftest import with_schema
from tests.support.service_process import stop_process


@dataclass
class Api:
    """A running `marsad api` process and an HTTP client for it (sending the token when told to)."""

    base: str
    proc: subprocess.Popen
    client: httpx.Client
    prefix: str = ""
    bootstrap: str = ""
    token: str = ""
    views: str = ""
    log: Path = field(default_factory=Path)

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def get(self, path: str, **params: str) -> dict:
        r = self.client.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def stop(self) -> None:
        self.client.close()
        stop_process(self.proc, 10)


def start_api(views_url: str, log: Path, *, token: str = "", bootstrap: str = "", prefix: str = "",
              env: dict[str, str] | None = None, send_token: bool = True) -> Api:
    """`marsad api` on a free port over ``views_url``, answering /health; its output goes to ``log``."""
    port = free_port()
    env = {**os.environ, "MARSAD_VIEWS_URL": views_url, "MARSAD_API_TOKEN": token, "MARSAD_LOG_LEVEL": "info",
           "MARSAD_TOPIC_PREFIX": prefix or f"dash-{uuid.uuid4().hex[:8]}", **(env or {})}
    if bootstrap:
        env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", "api", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, timeout=30,
                          headers={"Authorization": f"Bearer {token}"} if token and send_token else {})
    api = Api(base, proc, client, env["MARSAD_TOPIC_PREFIX"], bootstrap, token, views_url, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            if client.get("/health").status_code == 200:
                return api
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            api.stop()
            raise RuntimeError(f"marsad api did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def backend_views(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A fresh views URL on the fixture's backend (``request.param``: "sqlite" or "postgres")."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'views.sqlite'}"
    return with_schema(request.getfixturevalue("postgres_server"), f"{name}_{uuid.uuid4().hex[:10]}")
