"""The worker's lz4 level: aiokafka's record batches compress at the level asked, and read back the same."""

from __future__ import annotations

import importlib

import pytest
from aiokafka import codec

from benchmarks.corpus import articles
from marsad.streams.faust_app import lz4_level

MODULES = ("aiokafka.record.default_records", "aiokafka.record._crecords.default_records")


@pytest.fixture
def restored():
    modules = []
    for name in MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    saved = [(m, m.lz4_encode) for m in modules if hasattr(m, "lz4_encode")]
    yield [m for m, _ in saved]
    for m, fn in saved:
        m.lz4_encode = fn


def test_the_record_builders_compress_at_the_level_asked_and_the_output_reads_back(restored):
    payload = "\n".join(d["text"] for d in articles(20)).encode()
    lz4_level(1)
    for module in restored:
        out = module.lz4_encode(payload)
        assert out == codec.lz4_encode(payload, 1) != codec.lz4_encode(payload, 9)
        assert codec.lz4_decode(out) == payload
