"""Extraction jobs that misbehave on marked pages, for the isolation tests (run inside worker processes)."""

from __future__ import annotations

import os
import time
from typing import Any

from marsad.producers.pages.article import decode_and_extract

ABORT = b"<!-- marsad-test: abort -->"
HANG = b"<!-- marsad-test: hang -->"
HOG = b"<!-- marsad-test: hog -->"


def decode_and_extract_or_misbehave(content: bytes, *args: Any) -> Any:
    """The real job, except: os.abort() on ABORT, sleep on HANG, allocate without end on HOG."""
    if ABORT in content:
        os.abort()
    if HANG in content:
        time.sleep(600)
    if HOG in content:
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    return decode_and_extract(content, *args)
