"""Alert rule evaluations per second on one core: articles x 100 rules.

    .venv/bin/python -m benchmarks.bench_alerts [--n 2000] [--rules 100] [--golden FILE]

The rules are the bundled defaults plus generated ones of every kind
(topics, organisations, countries, places by name and by radius, quantity
thresholds, text terms, corroboration; a few spike rules), validated by the
real loader. The articles are ~4 KB Arabic texts from `benchmarks.corpus`,
analysed by the real pipeline first (not timed). Timed: `engine.route` alone
(every rule's conditions on every article), then the whole engine as the
back-test runs it (`backtest.replay`: route, story and spike state in dicts,
story expiry). Times are the process's CPU time, pinned to one core, so other
work on the machine counts less; the machine's own speed still moves them by a
tenth from hour to hour, so the run also times the analysis of the same articles
(what `marsad classify` does, on the same core) and prints the engine's rate as a
ratio to it.

``--golden FILE`` checks that the engine still decides the same: the first
run writes a digest of the back-test's whole output (its JSON report, every
alert with its articles, sources and counts, and its table) to FILE; later
runs with the same arguments compare against it and say whether it is
identical. Kept out of the timing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import orjson

from benchmarks.corpus import articles
from marsad.schemas.events import ArticleFetched, Duplicate
from marsad.schemas.wire import SEVERITIES
from marsad.streams.alerts.backtest import Report, as_json, as_table, collector_paused, replay
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.expiry import DEFAULT_DAYS, DEFAULT_FIRED_DAYS
from marsad.streams.alerts.rules import DEFAULT_PATH, load_rules, parse_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from marsad.streams.pipeline import Resources, process_fetched

PLACES = ["درعا", "دير الزور", "الرقة", "حلب", "الحسكة", "القامشلي", "إدلب", "حمص", "الموصل", "بغداد",
          "البوكمال", "السويداء", "اللاذقية", "طرطوس", "منبج", "الميادين", "كركوك", "الرمادي"]
POINTS = [(32.62, 36.10), (35.33, 40.14), (35.95, 39.01), (36.20, 37.16), (36.50, 40.75), (34.46, 40.92)]
TERMS = ["هجوم*", "اشتباك*", "ضبط", "اعتقال", "تهريب", "غارة", "كمين", "مداهم*", "انفجار*", "عقوبات", "شحنة",
         "الحدود", "معبر", "مخيم", "نزوح"]
ITEMS = [("captagon", "pill", 100_000), ("hashish", "kg", 50), ("crystal_meth", "kg", 5), ("drugs", "kg", 100)]


def generated_rules(n: int, taxonomy: Taxonomy, seed: int = 11) -> str:
    """The default rules file plus generated story and spike rules, ``n`` rules in all."""
    rng = random.Random(seed)
    topics, orgs = sorted(taxonomy.topics), sorted(taxonomy.orgs)
    text = DEFAULT_PATH.read_text(encoding="utf-8").rstrip() + "\n"
    have = len(load_rules(None, taxonomy).ids)
    least_urgent_first = SEVERITIES[::-1]  # the order the golden digests were drawn with
    for i in range(n - have):
        head = f"  - id: gen-{i}\n    title: قاعدة {i}\n    severity: {rng.choice(least_urgent_first)}\n"
        kind = i % 8
        if kind == 7:
            body = (f"    kind: spike\n    topic: {rng.choice(topics)}\n    per: {rng.choice(['place', 'country'])}\n"
                    f"    window: 1h\n    baseline_days: 7\n")
        else:
            body = f"    topics: [{rng.choice(topics)}]\n"
            if kind == 0:
                body += f"    orgs: [{', '.join(rng.sample(orgs, 3))}]\n"
            elif kind == 1:
                body += f"    places: [{{name: {rng.choice(PLACES)}}}, {{name: {rng.choice(PLACES)}}}]\n"
            elif kind == 2:
                lat, lon = rng.choice(POINTS)
                body += f"    places: [{{lat: {lat}, lon: {lon}, radius_km: {rng.choice([20, 50, 100])}}}]\n"
            elif kind == 3:
                item, unit, least = rng.choice(ITEMS)
                body = f"    quantities: [{{item: {item}, unit: {unit}, min: {least}}}]\n"
            elif kind == 4:
                body += f"    text: {{any: [{', '.join(rng.sample(TERMS, 3))}]}}\n"
            elif kind == 5:
                body += f"    countries: [{rng.choice(['SY', 'IQ', 'LB', 'JO'])}]\n"
                body += "    corroboration: {sources: 2, window: 24h}\n"
            else:
                body += f"    text: {{all: [{', '.join(rng.sample(TERMS, 2))}]}}\n"
        text += head + body
    return text


def output_digest(report: Report) -> str:
    """A digest of everything the back-test prints for ``report``: its JSON (every alert) and its table."""
    body = as_json(report, since=None, until=None, examples=len(report.alerts))
    h = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    h.update("\n".join(as_table(report, examples=len(report.alerts))).encode())
    return h.hexdigest()


def check_golden(path: str, digest: str, args: argparse.Namespace) -> None:
    """Write ``digest`` to ``path`` the first time; compare with it afterwards."""
    key = f"n={args.n} rules={args.rules} days={args.days:g} story_days={args.story_days} fired_days={args.fired_days}"
    golden = Path(path)
    stored = dict(line.split("  ", 1)[::-1] for line in golden.read_text().splitlines() if line) \
        if golden.exists() else {}
    if key not in stored:
        golden.write_text("".join(f"{d}  {k}\n" for k, d in {**stored, key: digest}.items()))
        print(f"back-test output digest {digest[:16]} written to {path} ({key})")
    elif stored[key] == digest:
        print(f"back-test output identical to {path} ({key}): {digest[:16]}")
    else:
        raise SystemExit(f"back-test output DIFFERS from {path} ({key}): {digest[:16]} != {stored[key][:16]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="articles")
    ap.add_argument("--rules", type=int, default=100)
    ap.add_argument("--days", type=float, default=14, help="the articles' times span this many days")
    ap.add_argument("--story-days", type=int, default=DEFAULT_DAYS, help="story expiry (0: off)")
    ap.add_argument("--fired-days", type=int, default=DEFAULT_FIRED_DAYS,
                    help="how long a story that raised an alert is kept (0: for good)")
    ap.add_argument("--golden", help="digest file: write the back-test output's digest, or compare with it")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    res = Resources.load()
    rules = parse_rules(generated_rules(args.rules, res.taxonomy), "bench-rules.yaml", res.taxonomy,
                        load_gazetteer())
    count = len(rules.story) + len(rules.spikes)
    print(f"rules: {len(rules.story)} story + {len(rules.spikes)} spike = {count}")
    rng = random.Random(3)
    processed = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=args.days) / args.n  # spread over days, as a real log is
    docs = articles(args.n)
    analysis_s = 0.0
    for i, doc in enumerate(docs):
        t0 = time.process_time()
        a, _ = process_fetched(ArticleFetched(article_id=doc["id"], source=f"outlet-{i % 7}", title=doc["title"],
                                              text=doc["text"]), res)
        analysis_s += time.process_time() - t0
        a = msgspec.structs.replace(a, published=start + i * step, occurred_at=start + i * step)
        if i and rng.random() < 0.2:  # some copies, so stories have several articles
            a = msgspec.structs.replace(a, duplicate=Duplicate("near", processed[rng.randrange(i)].article_id, 0.8))
        processed.append(a)
    analysed = len(processed) / analysis_s
    print(f"articles: {len(processed):,} (~4 KB each, over {args.days:g} days), analysed beforehand: "
          f"{analysed:,.0f} articles/s (the reference: `marsad classify`'s analysis, on the same core)")

    t0 = time.process_time()
    with collector_paused():  # as the back-test routes (it keeps every routed article)
        routed = [route(a, rules) for a in processed]
    route_s = time.process_time() - t0
    hits = sum(len(r.story.hits) for r in routed)
    print(f"route (conditions of every rule): {len(processed) / route_s:,.0f} articles/s, "
          f"{len(processed) * count / route_s:,.0f} rule evaluations/s ({route_s / len(processed) * 1e3:.2f} ms "
          f"an article); {hits:,} story rule matches")

    t0 = time.process_time()
    report = replay(((r.story.article.at, r) for r in (route(a, rules) for a in processed)), rules,
                    story_days=args.story_days, fired_days=args.fired_days)
    full_s = time.process_time() - t0
    print(f"whole engine (route + story and spike state + story expiry, as the back-test): "
          f"{len(processed) / full_s:,.0f} articles/s, {len(processed) * count / full_s:,.0f} rule evaluations/s; "
          f"{len(report.alerts):,} alerts; {len(processed) / full_s / analysed:.2f}x the analysis rate")
    if args.golden:
        check_golden(args.golden, output_digest(report), args)


if __name__ == "__main__":
    main()
