"""MARSAD_ALLOW_NETWORKS: chosen private networks pass the SSRF guard, every other one stays refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.deploy.cli.sources import producer_config
from marsad.producers.http import FailureKind, Fetcher, FetchError, FetchResult
from marsad.producers.safety import UnsafeURL, check_url, parse_networks
from marsad.runtime.settings import SettingsError, load_settings
from tests.producers.scripted_server import Reply, ScriptedServer

pytestmark = pytest.mark.anyio


def fetch_options_from(env: dict[str, str]):
    settings = load_settings(env={"MARSAD_CONFIG": "/dev/null", **env})
    return producer_config(settings, bootstrap="unused:9092", feeds_file=Path("feeds.yaml"), feeds_base_url=None).fetch


def test_setting_reaches_the_fetch_options() -> None:
    options = fetch_options_from({"MARSAD_ALLOW_NETWORKS": " 127.0.0.1/32 , 10.1.2.0/24 "})
    assert options.allowed_networks == ("127.0.0.1/32", "10.1.2.0/24")
    assert options.allow_private is False


def test_bad_network_is_one_clear_settings_error() -> None:
    with pytest.raises(SettingsError, match=r"MARSAD_ALLOW_NETWORKS.*'10\.1\.2\.300/24'"):
        load_settings(env={"MARSAD_CONFIG": "/dev/null", "MARSAD_ALLOW_NETWORKS": "127.0.0.1/32,10.1.2.300/24"})


GUARD = [
    pytest.param("http://10.1.2.7/feed.xml", None, id="inside-allowed-24"),
    pytest.param("http://10.1.3.7/feed.xml", "private", id="next-24-refused"),
    pytest.param("http://127.0.0.1:9/x", None, id="allowed-loopback-host"),
    pytest.param("http://127.0.0.2:9/x", "loopback", id="other-loopback-refused"),
    pytest.param("http://169.254.169.254/latest/meta-data/", "link-local", id="metadata-refused"),
    pytest.param("http://192.168.0.1/", "private", id="other-private-refused"),
]


@pytest.mark.parametrize(("url", "problem"), GUARD)
async def test_guard_with_allow_list(url: str, problem: str | None) -> None:
    allowed = parse_networks(["127.0.0.1/32", "10.1.2.0/24"])
    if problem is None:
        assert await check_url(url, allow_private=False, allowed_networks=allowed)
    else:
        with pytest.raises(UnsafeURL, match=problem):
            await check_url(url, allow_private=False, allowed_networks=allowed)


async def test_allowed_server_reached_through_redirects(server: ScriptedServer) -> None:
    server.route("hop1", Reply(status=301, headers={"Location": "/hop2"}))
    server.route("hop2", Reply(status=302, headers={"Location": server.url("final")}))
    server.route("final", Reply(body=b"<rss/>"))
    options = fetch_options_from({"MARSAD_ALLOW_NETWORKS": "127.0.0.1/32"})
    async with Fetcher(options) as fetcher:
        result = await fetcher.fetch(server.url("hop1"), purpose="feed")
    assert isinstance(result, FetchResult) and result.content == b"<rss/>"
    assert len(result.redirects) == 2


@pytest.mark.parametrize("target", ["http://127.0.0.2:9/x", "http://10.1.2.7/x", "http://169.254.169.254/"])
async def test_redirect_outside_the_allow_list_refused_at_the_hop(server: ScriptedServer, target: str) -> None:
    """Each hop is judged again: 127.0.0.1 is allowed, the hop's address is not (10.1.2.0/24 is not in this list)."""
    url = server.route("jump", Reply(status=302, headers={"Location": target}))
    options = fetch_options_from({"MARSAD_ALLOW_NETWORKS": "127.0.0.1/32"})
    async with Fetcher(options) as fetcher:
        with pytest.raises(FetchError) as error:
            await fetcher.fetch(url)
    assert error.value.kind is FailureKind.UNSAFE
    assert error.value.reason.startswith(f"redirect to {target} refused")


async def test_without_the_setting_loopback_is_refused(server: ScriptedServer) -> None:
    async with Fetcher(fetch_options_from({})) as fetcher:
        with pytest.raises(FetchError, match="loopback"):
            await fetcher.fetch(server.url("index.html"))
    assert server.requests == []


async def test_allow_private_still_turns_the_guard_off_for_the_demo(server: ScriptedServer) -> None:
    async with Fetcher(fetch_options_from({"MARSAD_ALLOW_PRIVATE": "1"})) as fetcher:
        result = await fetcher.fetch(server.url("index.html"))
    assert isinstance(result, FetchResult)
