"""The SSRF guard judges addresses without contacting them."""

import ipaddress

import pytest

from marsad.producers.safety import UnsafeURL, address_problem, check_url, parse_networks

pytestmark = pytest.mark.anyio

ADDRESSES = [
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "not globally routable"),
    ("::ffff:10.0.0.1", "private"),
    ("fc00::1", "private"),
    ("8.8.8.8", None),
    ("2001:4860:4860::8888", None),
]


@pytest.mark.parametrize(("address", "problem"), ADDRESSES, ids=[a for a, _ in ADDRESSES])
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(ipaddress.ip_address(address)) == problem


def test_allowed_networks_let_chosen_addresses_through() -> None:
    allowed = parse_networks(["127.0.0.1/32", "10.1.0.0/16"])
    assert address_problem(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert address_problem(ipaddress.ip_address("10.1.2.3"), allowed) is None
    assert address_problem(ipaddress.ip_address("10.2.0.1"), allowed) == "private"


def test_parse_networks_names_the_bad_one() -> None:
    with pytest.raises(ValueError, match="not-a-net"):
        parse_networks(["10.0.0.0/8", "not-a-net"])


REFUSED = [
    pytest.param("http://169.254.169.254/latest/meta-data/", "link-local", id="cloud-metadata"),
    pytest.param("http://10.0.0.1/feed.xml", "private", id="private-literal"),
    pytest.param("http://localhost:9/feed.xml", "loopback", id="localhost-name-resolved"),
    pytest.param("http://[::1]/", "loopback", id="ipv6-loopback"),
    pytest.param("ftp://example.com/feed.xml", "scheme", id="ftp-scheme"),
    pytest.param("file:///etc/passwd", "scheme", id="file-scheme"),
    pytest.param("http:///nohost", "no host", id="no-host"),
]


@pytest.mark.parametrize(("url", "words"), REFUSED)
async def test_check_url_refuses(url: str, words: str) -> None:
    with pytest.raises(UnsafeURL) as error:
        await check_url(url, allow_private=False)
    assert words in error.value.reason


async def test_check_url_accepts_public_literal_without_lookup() -> None:
    addresses = await check_url("https://93.184.215.14/feed.xml", allow_private=False)
    assert [str(a) for a in addresses] == ["93.184.215.14"]


async def test_allow_private_skips_the_address_check_but_not_the_scheme() -> None:
    assert await check_url("http://10.0.0.1/", allow_private=True) == []
    with pytest.raises(UnsafeURL):
        await check_url("gopher://10.0.0.1/", allow_private=True)
