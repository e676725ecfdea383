"""The spike agent's folds alone, over encoded state, as news gets dense: CPU and state bytes written per article.

    .venv/bin/python -m benchmarks.bench_spike_state [--n 40000] [--per-day 2500]

The articles of `benchmarks.bench_alerter` (analysed by the real pipeline
beforehand, not timed, ``per_day`` a simulated day) are routed by the shipped
rules; their spike notes are folded as the alerter's spike agent folds them:
per batch of 100 articles, one record per partition (4, by the notes' keys),
each record folded into one staging of the table (`folds.SpikeFold`) and
stored once, the table a dict of encoded records. Measured per tenth of the
run: CPU time of the folds (decoding, folding, encoding) per article, and the
bytes of the records stored (keys and values) per article; at the end, the
table's records and bytes. One process, no Kafka, no Faust: what the state's
layout costs, apart from the rest of the alerter (`benchmarks.bench_alerter`).
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections.abc import Iterator, MutableMapping

from benchmarks.bench_alerter import corpus
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.folds import SpikeFold
from marsad.streams.alerts.rules import load_rules
from marsad.streams.alerts.spike import SpikeStores
from marsad.streams.classify import Taxonomy

BATCH = 100  # articles a record's notes come from (the route agent's batch)
PARTITIONS = 4


class Counted(MutableMapping[bytes, bytes]):
    """A dict of encoded records that counts the bytes stored into it."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}
        self.written = 0

    def __getitem__(self, key: bytes) -> bytes:
        return self.data[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.written += len(key) + len(value)
        self.data[key] = value

    def __delitem__(self, key: bytes) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40000, help="articles (default 40,000)")
    ap.add_argument("--per-day", type=int, default=2500, help="articles a simulated day (default 2,500)")
    args = ap.parse_args()
    rules = load_rules(None, Taxonomy.load())
    articles = corpus(args.n, args.per_day)[1:]
    notes = [route(a, rules).spikes for a in articles]
    print(f"{len(articles):,} articles, {args.per_day:,} a simulated day ({len(articles) / args.per_day:.1f} days), "
          f"{sum(map(len, notes)):,} spike notes; per tenth: ms CPU an article, KB stored an article")
    table = Counted()
    stores = SpikeStores.over(table)
    tenth = max(BATCH, len(articles) // 10 // BATCH * BATCH)
    cpu, written, since = 0.0, 0, 0
    for start in range(0, len(articles), BATCH):
        records: dict[int, list] = {}
        for batch in notes[start:start + BATCH]:
            for note in batch:
                records.setdefault(zlib.crc32(note.state_key.encode()) % PARTITIONS, []).append(note)
        t0 = time.process_time()
        for record in records.values():
            fold = SpikeFold(stores)
            for note in record:
                fold.add(note)
            fold.commit()
        cpu += time.process_time() - t0
        done = min(start + BATCH, len(articles))
        since += done - start
        if done % tenth == 0 or done == len(articles):
            print(f"day {done / args.per_day:5.1f}: {cpu / since * 1e3:6.2f} ms, "
                  f"{(table.written - written) / since / 1e3:7.1f} KB", flush=True)
            cpu, written, since = 0.0, table.written, 0
    print(f"table at the end: {len(table):,} records, {sum(map(len, table.data.values())) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
