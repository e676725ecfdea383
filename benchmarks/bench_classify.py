"""`marsad classify` throughput on one core, ~4 KB Arabic articles.

    .venv/bin/python -m benchmarks.bench_classify [--n 2000] [--repeat 3]

Runs the same code as the command (marsad.streams.offline over JSONL lines), in
this one process, after the resources are loaded (load time printed apart).
The corpus goes through `--repeat` times and the best pass is reported with
the others beside it: on a shared machine the best is the least disturbed.
Each pass is followed by one without the incident coder (its stage stubbed), to
show what it costs on the same machine at the same time. Then the time of each
stage of `marsad.streams.pipeline.analyse`, per article.
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import time
from unittest import mock

import orjson

from benchmarks.corpus import articles
from marsad.streams import compiled
from marsad.streams.classify.combined import topics_orgs_and_mentions
from marsad.streams.clean.pipeline import clean_and_map
from marsad.streams.extract.incidents import find_incidents
from marsad.streams.extract.places import find_places_and_countries
from marsad.streams.extract.quantities import find_quantities
from marsad.streams.offline import run
from marsad.streams.pipeline import Resources
from marsad.streams.text.normalize import normalize


def stage_times(docs: list[dict], res: Resources) -> dict[str, float]:
    """Seconds spent in each stage over ``docs``, called as `analyse` calls them."""
    clock = time.perf_counter
    spent = dict.fromkeys(("clean and normalise", "topics and orgs", "places and countries", "quantities",
                           "incidents"), 0.0)
    names = list(spent)
    for d in docs:
        t0 = clock()
        written = clean_and_map(d["text"], res.boilerplate)
        body, norm = written.source, written.norm
        title_norm = normalize(d["title"])
        t1 = clock()
        _, orgs, mentions = topics_orgs_and_mentions(norm, res.taxonomy, title_norm, text=body, title_text=d["title"],
                                                     written=written)
        t2 = clock()
        places, _ = find_places_and_countries(norm, res.gazetteer, text=body, written=written)
        t3 = clock()
        quantities = find_quantities(body, norm=norm, written=written)
        t4 = clock()
        find_incidents(body, norm, lang="ar", published=None, places=places, orgs=orgs, quantities=quantities,
                       vocab=res.incidents, taxonomy=res.taxonomy, written=written,
                       org_mentions=[(m.word_start, m.word_end, m.entry.id) for m in mentions])
        t5 = clock()
        for name, dt in zip(names, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            spent[name] += dt
    return spent


def interpreter() -> str:
    """Which Python runs the benchmark: its build moves the figure (README, Benchmarks)."""
    try:
        with open("/proc/self/maps") as maps:
            shared = any("libpython" in line for line in maps)
    except OSError:  # not Linux: say nothing of the linking
        return f"{platform.python_implementation()} {platform.python_version()} at {sys.executable}"
    linking = "libpython shared" if shared else "libpython linked in"
    return f"{platform.python_implementation()} {platform.python_version()} at {sys.executable} ({linking})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus; the best is reported")
    args = ap.parse_args()
    docs = articles(args.n)
    data = b"".join(orjson.dumps(d) + b"\n" for d in docs)
    t0 = time.perf_counter()
    res = Resources.load()
    load = time.perf_counter() - t0
    run(io.BytesIO(data[: 20 * 4500]), io.BytesIO(), res)  # warm up
    rates, rates_without = [], []
    for _ in range(max(1, args.repeat)):  # alternated, so that both see the same machine
        t0 = time.perf_counter()
        n = run(io.BytesIO(data), io.BytesIO(), res)
        rates.append(n / (time.perf_counter() - t0))
        with mock.patch("marsad.streams.pipeline.find_incidents", return_value=[]):
            t0 = time.perf_counter()
            run(io.BytesIO(data), io.BytesIO(), res)
            rates_without.append(n / (time.perf_counter() - t0))
    best = max(rates)
    avg = sum(len(d["text"].encode()) for d in docs) / len(docs)
    print(f"interpreter: {interpreter()}; {compiled.state()}")
    print(f"resources loaded in {load:.2f}s")
    print(f"classify: {n} articles of {avg / 1000:.1f} KB avg: best {best:,.0f} articles/s "
          f"({1000 / best:.2f} ms/article, one core); passes: {', '.join(f'{r:,.0f}' for r in rates)}")
    print(f"the same without the incident coder: best {max(rates_without):,.0f} articles/s; "
          f"passes: {', '.join(f'{r:,.0f}' for r in rates_without)}")
    spent = stage_times(docs, res)
    print("per article: " + ", ".join(f"{name} {dt / len(docs) * 1000:.3f} ms" for name, dt in spent.items()))


if __name__ == "__main__":
    main()
