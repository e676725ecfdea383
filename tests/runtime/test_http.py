"""Reading ``Retry-After``: seconds or an HTTP date, None when absent or unreadable."""

from __future__ import annotations

import pytest

from marsad.runtime.http import retry_after_seconds

NOW = 1_796_421_600.0  # Fri, 04 Dec 2026 22:00:00 GMT

CASES = [
    pytest.param("120", 120.0, id="seconds"),
    pytest.param(" 30 ", 30.0, id="seconds-padded"),
    pytest.param("0", 0.0, id="zero"),
    pytest.param("1.5", 1.5, id="decimal-seconds"),
    pytest.param("Fri, 04 Dec 2026 22:02:00 GMT", 120.0, id="imf-date"),
    pytest.param("Friday, 04-Dec-26 22:01:00 GMT", 60.0, id="rfc850-date"),
    pytest.param("Fri Dec  4 22:00:30 2026", 30.0, id="asctime-date"),
    pytest.param("Fri, 04 Dec 2026 21:00:00 GMT", 0.0, id="date-past"),
    pytest.param(None, None, id="absent"),
    pytest.param("", None, id="empty"),
    pytest.param("-5", None, id="negative"),
    pytest.param("soon", None, id="words"),
    pytest.param("nan", None, id="nan"),
]


@pytest.mark.parametrize(("value", "expected"), CASES)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == expected
