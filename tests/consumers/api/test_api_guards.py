"""The API's guards, on a real `marsad api` on 127.0.0.1: Host names (DNS rebinding), headers, read-only views.

A page on another site can reach a loopback server through DNS rebinding:
the browser then sends the other site's name as ``Host``. Without a token
the API answers only loopback names and the allowed hosts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from marsad.consumers.api.dashboard_export import to_csv
from marsad.consumers.api.server import BindError, check_bind
from marsad.consumers.store import Record, StoreError, open_reader, open_store
from marsad.runtime.hosts import host_allowed, host_name
from tests.consumers.api.server import Api, start_api
from tests.consumers.api.test_api import fill
from tests.consumers.factory import corpus


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('guards') / 'views.sqlite'}"
    fill(url)
    return url


@pytest.fixture(scope="module")
def server(views: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    s = start_api(views, tmp_path_factory.mktemp("guards-log") / "api.log",
                  env={"MARSAD_API_ALLOWED_HOSTS": "marsad.lan, Dashboard.Example.org."})
    yield s
    s.stop()


# -- Host -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost.evil",
                                  "10.0.0.5:{port}", ""])
def test_a_foreign_host_is_refused_without_a_token(server: Api, host: str) -> None:
    r = server.client.get("/articles", headers={"Host": host.format(port=server.port)})
    assert r.status_code == 421, r.text
    assert r.json()["error"] == "misdirected_request" and "MARSAD_API_ALLOWED_HOSTS" in r.json()["message"]
    assert server.client.get("/", headers={"Host": host.format(port=server.port)}).status_code == 421


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}",
                                  "127.0.0.2", "marsad.lan:{port}", "dashboard.example.org"])
def test_loopback_and_allowed_hosts_are_answered(server: Api, host: str) -> None:
    assert server.client.get("/articles", headers={"Host": host.format(port=server.port)}).status_code == 200


def test_with_a_token_any_host_is_answered_once_authorised(views: str, tmp_path) -> None:
    s = start_api(views, tmp_path / "api.log", token="k" * 40, send_token=False)
    try:
        assert s.client.get("/articles", headers={"Host": "api.example.org"}).status_code == 401
        r = s.client.get("/articles", headers={"Host": "api.example.org", "Authorization": f"Bearer {'k' * 40}"})
        assert r.status_code == 200
    finally:
        s.stop()


@pytest.mark.parametrize(("header", "name"), [("Example.ORG.", "example.org"), ("[::1]:80", "::1"),
                                              ("a.b:8086", "a.b"), ("::1", "::1"), ("[fe80::1", "[fe80::1")])
def test_host_name_of_a_header(header: str, name: str) -> None:
    assert host_name(header) == name


def test_host_allowed_needs_a_header() -> None:
    assert not host_allowed(None, frozenset()) and host_allowed("localhost:1", frozenset())


# -- headers --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/index.html", "/static/index.html"])
def test_every_html_path_has_the_security_headers(server: Api, path: str) -> None:
    r = server.client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_json_answers_are_nosniff(server: Api) -> None:
    assert server.client.get("/articles").headers["x-content-type-options"] == "nosniff"


def test_405_says_what_is_allowed(server: Api) -> None:
    r = server.client.post("/articles")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET"}


# -- binding --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("host", "token", "allow_public", "refused"), [
    ("127.0.0.1", "", False, False),
    ("::1", "short", False, False),
    ("0.0.0.0", "", False, True),
    ("0.0.0.0", "x" * 31, False, True),
    ("0.0.0.0", "x" * 31, True, True),  # --allow-public does not excuse a short token
    ("0.0.0.0", "x" * 32, False, False),
    ("192.168.1.4", "", True, False),
], ids=["loopback", "loopback-short-token", "public-no-token", "public-31", "public-31-allowed", "public-32",
        "public-explicit"])
def test_a_public_bind_needs_a_long_token(host: str, token: str, allow_public: bool, refused: bool) -> None:
    if refused:
        with pytest.raises(BindError, match="32"):
            check_bind(host, token, allow_public)
    else:
        check_bind(host, token, allow_public)


# -- read-only views ------------------------------------------------------------------------------------------
def test_the_api_connection_cannot_write_sqlite(views: str) -> None:
    with open_store(views, read_only=True) as store:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store._conn.execute("DELETE FROM articles")
        with pytest.raises(StoreError):
            store.write_batch([Record("t", 0, 10_000, corpus(1)[0])])
        assert store.stats()["articles"] == 60


def test_the_api_connection_cannot_write_postgres(postgres_url: str) -> None:
    fill(postgres_url)
    with open_reader(postgres_url) as store:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            store._conn.execute("DELETE FROM articles")
        with pytest.raises(StoreError):
            store.write_batch([Record("t", 0, 10_000, corpus(1)[0])])
        assert store.stats()["articles"] == 60


def test_a_reader_never_creates_a_postgres_schema(postgres_url: str) -> None:
    with pytest.raises(StoreError, match="no views in schema"):
        open_reader(postgres_url)
    with pytest.raises(StoreError, match="no views in schema"):
        open_store(postgres_url, read_only=True)


def test_a_reader_never_creates_a_sqlite_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no views database"):
        open_reader(f"sqlite:///{tmp_path / 'x' / 'views.sqlite'}")
    assert list(tmp_path.iterdir()) == []


# -- CSV ------------------------------------------------------------------------------------------------------
def test_csv_neutralises_every_text_cell_that_starts_like_a_formula() -> None:
    rows = [{"article_id": "@id", "url": "=HYPERLINK(\"http://x\")", "title": "+1", "source": "-2", "orgs": ["=a"],
             "lat": -33.5, "topics": ["narcotics"]}]
    text = to_csv(rows, ("article_id", "url", "title", "source", "orgs", "lat", "topics"))
    cells = text.splitlines()[1].split(",")
    assert cells[:2] == ["'@id", "\"'=HYPERLINK(\"\"http://x\"\")\""]
    assert cells[2:] == ["'+1", "'-2", "'=a", "-33.5", "narcotics"]
