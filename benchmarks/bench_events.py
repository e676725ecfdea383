"""Event encode/decode rate (no Kafka): the ceiling of every stage's (de)serialisation.

    .venv/bin/python -m benchmarks.bench_events [--n 100000]
"""

from __future__ import annotations

import argparse
import time

from marsad.schemas.codec import decode, encode
from marsad.schemas.examples import sample_events


def rate(fn, items, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        for x in items:
            fn(x)
    return repeat * len(items) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="events per measurement")
    args = ap.parse_args()
    print(f"{'event':<20}{'bytes':>7}{'encode/s':>12}{'decode/s':>12}")
    for event in sample_events():
        data = encode(event)
        enc = rate(encode, [event], args.n)
        dec = rate(decode, [data], args.n)
        print(f"{type(event).__name__:<20}{len(data):>7}{enc:>12,.0f}{dec:>12,.0f}")


if __name__ == "__main__":
    main()
