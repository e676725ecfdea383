"""Produce/consume rate of 1 KB messages through a local broker, kafka-python and aiokafka.

    .venv/bin/python -m benchmarks.bench_kafka [--n 100000] [--size 1024]

Starts its own broker (deploy/kafka) in a temporary data dir on free ports, or
uses KAFKA_BOOTSTRAP_SERVERS when set. Producers use acks=all, idempotence and
lz4, as marsad's services do. These figures are the ceiling the pipeline's
stages are compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from contextlib import ExitStack

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer

from benchmarks.broker import bench_kafka, fresh_topics


def kp_produce(bootstrap: str, topic: str, payload: bytes, n: int) -> float:
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, compression_type="lz4",
                      linger_ms=20, batch_size=256 * 1024)
    t0 = time.perf_counter()
    for i in range(n):
        p.send(topic, key=str(i).encode(), value=payload)
    p.flush()
    dt = time.perf_counter() - t0
    p.close()
    return n / dt


def kp_consume(bootstrap: str, topic: str, n: int) -> float:
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=uuid.uuid4().hex,
                      auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=5000,
                      fetch_max_bytes=64 * 1024 * 1024)
    got, t0 = 0, None
    while got < n:
        batch = c.poll(timeout_ms=1000)
        if t0 is None and batch:
            t0 = time.perf_counter()
        got += sum(len(v) for v in batch.values())
    dt = time.perf_counter() - t0
    c.close()
    return n / dt


async def aio_produce(bootstrap: str, topic: str, payload: bytes, n: int) -> float:
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                         compression_type="lz4", linger_ms=20, max_batch_size=256 * 1024)
    await p.start()
    t0 = time.perf_counter()
    futures = [await p.send(topic, payload, key=str(i).encode()) for i in range(n)]
    await asyncio.gather(*futures)
    dt = time.perf_counter() - t0
    await p.stop()
    return n / dt


async def aio_consume(bootstrap: str, topic: str, n: int) -> float:
    c = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=uuid.uuid4().hex,
                         auto_offset_reset="earliest", enable_auto_commit=False, max_partition_fetch_bytes=8 << 20)
    await c.start()
    got, t0 = 0, None
    while got < n:
        batch = await c.getmany(timeout_ms=1000, max_records=5000)
        if t0 is None and batch:
            t0 = time.perf_counter()
        got += sum(len(v) for v in batch.values())
    dt = time.perf_counter() - t0
    await c.stop()
    return n / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=1024)
    args = ap.parse_args()
    payload = (os.urandom(args.size // 4).hex().encode() * 2)[: args.size]  # compressible like text
    tmp = tempfile.TemporaryDirectory()
    kafka = ExitStack()
    bootstrap, _ = kafka.enter_context(bench_kafka(tmp.name))
    try:
        t = fresh_topics(bootstrap)
        print(f"{args.n} messages of {args.size} B, 4 partitions, acks=all, idempotent, lz4")
        r1 = kp_produce(bootstrap, t.fetched, payload, args.n)
        r2 = kp_consume(bootstrap, t.fetched, args.n)
        print(f"kafka-python  produce {r1:>9,.0f} msg/s ({r1 * args.size / 1e6:5.1f} MB/s)   "
              f"consume {r2:>9,.0f} msg/s ({r2 * args.size / 1e6:5.1f} MB/s)")
        r3 = asyncio.run(aio_produce(bootstrap, t.processed, payload, args.n))
        r4 = asyncio.run(aio_consume(bootstrap, t.processed, args.n))
        print(f"aiokafka      produce {r3:>9,.0f} msg/s ({r3 * args.size / 1e6:5.1f} MB/s)   "
              f"consume {r4:>9,.0f} msg/s ({r4 * args.size / 1e6:5.1f} MB/s)")
    finally:
        kafka.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
