"""Signatures a receiver can check with nothing but hmac and hashlib, and the idempotency keys."""

from __future__ import annotations

import hashlib
import hmac

from consumers.alerts.signing import SIGNATURE, TIMESTAMP, idempotency_key, signed_headers, verify
from tests.consumers.alerts.events import raised, updated


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = '{"type":"AlertRaised","title":"ضبط"}'.encode()
    headers = signed_headers(b"k3y", body, "al1", "AlertRaised", now=1_700_000_000)
    assert headers[TIMESTAMP] == "1700000000"
    expected = hmac.new(b"k3y", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE] == f"sha256={expected}"
    assert verify(b"k3y", "1700000000", body, headers[SIGNATURE], now=1_700_000_100)


def test_verify_refuses_a_changed_body_a_wrong_key_and_an_old_timestamp():
    body = b'{"a":1}'
    sig = signed_headers(b"k", body, "x", "AlertRaised", now=1000)[SIGNATURE]
    assert not verify(b"k", "1000", b'{"a":2}', sig, now=1000)
    assert not verify(b"other", "1000", body, sig, now=1000)
    assert not verify(b"k", "1000", body, sig, now=1000 + 301)
    assert not verify(b"k", "not-a-time", body, sig, now=1000)


def test_idempotency_keys():
    alert = raised(7)
    assert idempotency_key(alert) == "al0007"
    assert idempotency_key(updated(alert, 3)) == "al0007:3"
