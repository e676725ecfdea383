"""Fixtures for the producer tests: one real HTTP server on 127.0.0.1 per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from marsad.producers.http import FetchOptions
from marsad.producers.samples import SITE_DIR
from tests.producers.scripted_server import ScriptedServer


@pytest.fixture(scope="session")
def _session_server() -> Iterator[ScriptedServer]:
    server = ScriptedServer(SITE_DIR).start()
    yield server
    server.stop()


@pytest.fixture
def server(_session_server: ScriptedServer) -> ScriptedServer:
    """The shared server with no scripted routes and an empty request log."""
    _session_server.reset()
    return _session_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def local_options() -> Callable[..., FetchOptions]:
    """A factory of fetch options for the test server: loopback allowed, short timeouts."""

    def make(**overrides: Any) -> FetchOptions:
        values: dict[str, Any] = {"connect_timeout": 2.0, "read_timeout": 2.0, "total_timeout": 5.0, "allow_private": True}
        return FetchOptions(**(values | overrides))

    return make
