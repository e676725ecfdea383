"""Signatures a receiver can check with nothing but hmac and hashlib, and the idempotency keys."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from marsad.streams.alerts.delivery.signing import (
    IDEMPOTENCY_KEY,
    SIGNATURE,
    TIMESTAMP,
    idempotency_key,
    signed_headers,
    verify,
)
from tests.streams.alerts.events import raised, updated


def test_the_signature_is_hmac_sha256_over_timestamp_key_and_body():
    body = '{"type":"AlertRaised","title":"ضبط"}'.encode()
    headers = signed_headers(b"k3y", body, "al1", "AlertRaised", now=1_700_000_000)
    assert headers[TIMESTAMP] == "1700000000" and headers[IDEMPOTENCY_KEY] == "al1"
    expected = hmac.new(b"k3y", b"1700000000.al1." + body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE] == f"sha256={expected}"
    assert verify(b"k3y", "1700000000", "al1", body, headers[SIGNATURE], now=1_700_000_100)


SIGNED = signed_headers(b"k", b'{"a":1}', "al1:2", "AlertUpdated", now=1000)[SIGNATURE]


@pytest.mark.parametrize(("secret", "ts", "key", "body", "given", "now"), [
    pytest.param(b"k", "1000", "al1:2", b'{"a":2}', SIGNED, 1000, id="changed-body"),
    pytest.param(b"k", "1000", "al1:3", b'{"a":1}', SIGNED, 1000, id="other-idempotency-key"),
    pytest.param(b"k", "1000", "", b'{"a":1}', SIGNED, 1000, id="no-idempotency-key"),
    pytest.param(b"other", "1000", "al1:2", b'{"a":1}', SIGNED, 1000, id="wrong-secret"),
    pytest.param(b"k", "1000", "al1:2", b'{"a":1}', SIGNED, 1301, id="old-timestamp"),
    pytest.param(b"k", "not-a-time", "al1:2", b'{"a":1}', SIGNED, 1000, id="malformed-timestamp"),
    pytest.param(b"k", "", "al1:2", b'{"a":1}', SIGNED, 1000, id="no-timestamp"),
    pytest.param(b"k", "١٠٠٠", "al1:2", b'{"a":1}', SIGNED, 1000, id="non-ascii-digits"),
    pytest.param(b"k", "1000", "al1:2", b'{"a":1}', "", 1000, id="no-signature"),
    pytest.param(b"k", "1000", "al1:2", b'{"a":1}', SIGNED[7:], 1000, id="no-scheme"),
    pytest.param(b"k", "1000", "al1:2", b'{"a":1}', "sha256=é", 1000, id="non-ascii-signature"),
])
def test_verify_refuses(secret, ts, key, body, given, now):
    assert verify(b"k", "1000", "al1:2", b'{"a":1}', SIGNED, now=1000)  # the unchanged request passes
    assert not verify(secret, ts, key, body, given, now=now)


def test_idempotency_keys():
    alert = raised(7)
    assert idempotency_key(alert) == "al0007"
    assert idempotency_key(updated(alert, 3)) == "al0007:3"
