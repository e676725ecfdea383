"""Quality of `marsad classify` on the labelled samples: scores, then every miss.

    .venv/bin/python -m benchmarks.eval [--shared ../shared] [--corpus seeds --corpus dev] [--no-misses]
    make eval
    .venv/bin/python -m benchmarks.eval --json    # one JSON object, for scripts

For each labelled corpus found under the shared folder (the seeds: ``seeds/*.txt``
with ``spec/seeds-gold.jsonl``; the dev set: ``dev/articles/*.txt`` with
``dev/gold.jsonl``) it runs the command's own code (`marsad.streams.offline`, in this
process, after the resources are loaded) over the articles, scores the results
with the spec's scorer ``spec/score.py`` (loaded from its path, never copied),
and prints per field precision, recall and F1, boilerplate removed, body kept,
incidents and the classify rate. Then, field by field, what each article got
wrong: the gold labels not found and the predictions not in the gold, so a
developer sees what to generalise (never a rule for one text: these are samples).

A corpus or the scorer that is absent is skipped with a line saying so.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import orjson

from benchmarks.eval_misses import misses_of
from marsad.streams.offline import classify_lines
from marsad.streams.pipeline import Resources

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared"
FIELDS = ("topics", "places", "countries", "orgs", "quantities")
_TIMED_SECONDS, _MAX_PASSES = 0.5, 50


@dataclass(frozen=True)
class Corpus:
    """A labelled sample: its articles (as `marsad classify` input lines) and the gold file."""

    name: str
    articles: Path  # folder of <id>.txt
    gold: Path

    def missing(self) -> str | None:
        """Why this corpus cannot be evaluated, or None."""
        if not self.articles.is_dir():
            return f"no folder {self.articles}"
        if not self.gold.is_file():
            return f"no gold file {self.gold}"
        return None

    def inputs(self, gold: dict[str, dict]) -> list[dict]:
        """One input line per article file, in name order, with the gold's publication day when given."""
        out = []
        for path in sorted(self.articles.glob("*.txt")):
            item = {"id": path.stem, "text": path.read_text(encoding="utf-8")}
            day = gold.get(path.stem, {}).get("published")
            if day:
                item["published"] = f"{day}T12:00:00Z"
            out.append(item)
        return out


def corpora(shared: Path) -> dict[str, Corpus]:
    """The labelled corpora of the shared folder, by name."""
    return {
        "seeds": Corpus("seeds", shared / "seeds", shared / "spec" / "seeds-gold.jsonl"),
        "dev": Corpus("dev", shared / "dev" / "articles", shared / "dev" / "gold.jsonl"),
    }


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_scorer(path: Path) -> ModuleType | None:
    """The spec's scorer as a module, loaded from ``path`` (None when the file is absent)."""
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("marsad_spec_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def classify(inputs: list[dict], res: Resources) -> tuple[list[dict], float]:
    """The result lines of ``inputs`` and the articles per second of the best of a few timed passes
    (after a warm-up; passes go on for about `_TIMED_SECONDS`, so a small corpus still gives a rate)."""
    lines = [orjson.dumps(item) for item in inputs]
    out = [orjson.loads(line) for line in classify_lines(lines, res)]  # also the warm-up
    best, spent, passes = 0.0, 0.0, 0
    while lines and (spent < _TIMED_SECONDS or passes < 2) and passes < _MAX_PASSES:
        t0 = time.perf_counter()
        for _ in classify_lines(lines, res):
            pass
        elapsed = time.perf_counter() - t0
        spent, passes = spent + elapsed, passes + 1
        best = max(best, len(lines) / elapsed if elapsed > 0 else float("inf"))
    return out, best


def score(scorer: ModuleType, gold_path: Path, results: list[dict]) -> dict:
    """The scorer's figures (its ``--json`` line) for ``results`` against ``gold_path``."""
    with tempfile.TemporaryDirectory(prefix="marsad-eval-") as tmp:
        out_path = Path(tmp) / "results.jsonl"
        out_path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in results))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            scorer.main(["score.py", str(gold_path), str(out_path), "--json"])
    return json.loads(printed.getvalue().strip().splitlines()[-1])


def print_scores(figures: dict) -> None:
    print(f"  {'field':<11} {'P':>6} {'R':>6} {'F1':>6}   {'tp':>4} {'fp':>4} {'fn':>4}")
    for field in FIELDS:
        f = figures[field]
        print(f"  {field:<11} {f['precision']:6.3f} {f['recall']:6.3f} {f['f1']:6.3f}   "
              f"{f['tp']:4d} {f['fp']:4d} {f['fn']:4d}")
    print(f"  overall F1 {figures['overall_f1']:.3f}")
    print(f"  boilerplate removed {figures['boilerplate_removed']}  body kept {figures['body_kept']}  "
          f"duplicate caption once {figures['duplicate_caption_once']}")
    print(f"  incidents P {figures['incidents_p']:.3f} R {figures['incidents_r']:.3f} "
          f"F1 {figures['incidents_f1']:.3f} (tp {figures['incidents_tp']} fp {figures['incidents_fp']} "
          f"fn {figures['incidents_fn']})  dates {figures['incident_dates']}  counts {figures['incident_counts']}  "
          f"actors F1 {figures['incident_actors_f1']:.3f}")


def print_by_language(scorer: ModuleType, gold: list[dict], results: list[dict]) -> None:
    """Overall F1 (and per field F1) of the articles of each language (the language `classify` found)."""
    lang_of = {r.get("id"): r.get("lang") or "?" for r in results}
    langs = sorted({lang_of.get(g["id"], "?") for g in gold})
    if len(langs) < 2:
        return
    with tempfile.TemporaryDirectory(prefix="marsad-eval-") as tmp:
        for lang in langs:
            subset = [g for g in gold if lang_of.get(g["id"], "?") == lang]
            path = Path(tmp) / f"gold-{lang}.jsonl"
            path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in subset), encoding="utf-8")
            f = score(scorer, path, results)
            fields = "  ".join(f"{k} {f[k]['f1']:.3f}" for k in FIELDS)
            print(f"  {lang}: overall F1 {f['overall_f1']:.3f} ({len(subset)} articles)  {fields}")


def print_misses(gold: list[dict], results: list[dict], scorer: ModuleType | None) -> None:
    by_field = misses_of(gold, {r.get("id"): r for r in results}, scorer)
    if not any(by_field.values()):
        print("  misses: none")
        return
    print("  misses (- gold not found, + predicted but not gold):")
    for field, rows in by_field.items():
        if not rows:
            continue
        print(f"  [{field}]")
        for article_id, lost, extra in rows:
            parts = [f"- {x}" for x in lost] + [f"+ {x}" for x in extra]
            print(f"    {article_id}: " + "; ".join(parts))


def evaluate(corpus: Corpus, res: Resources, scorer: ModuleType | None, *, misses: bool = True) -> dict | None:
    """Run, score and print one corpus; its figures (the scorer's when it is there, the rate always),
    or None when the corpus was skipped."""
    why = corpus.missing()
    if why:
        print(f"== {corpus.name}: skipped ({why})")
        return None
    gold = read_jsonl(corpus.gold)
    by_id = {g["id"]: g for g in gold}
    inputs = corpus.inputs(by_id)
    results, rate = classify(inputs, res)
    errors = sum(1 for r in results if "error" in r)
    print(f"== {corpus.name}: {len(inputs)} articles, {len(gold)} labelled ({corpus.articles})")
    print(f"  classify rate {rate:,.0f} articles/s (best timed pass, one process, resources loaded)"
          + (f"; {errors} lines gave an error" if errors else ""))
    figures: dict = {"articles": len(inputs), "classify_rate": round(rate), "errors": errors}
    if scorer is None:
        print("  not scored: the scorer spec/score.py is absent")
    else:
        figures |= score(scorer, corpus.gold, results)
        print_scores(figures)
        print_by_language(scorer, gold, results)
    if misses:
        print_misses(gold, results, scorer)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.eval", description=__doc__.splitlines()[0],
                                 epilog="The shared folder may also be given as $MARSAD_SHARED.")
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("MARSAD_SHARED", DEFAULT_SHARED)),
                    help="folder holding seeds/, dev/ and spec/ (default: %(default)s)")
    ap.add_argument("--corpus", action="append", choices=("seeds", "dev"),
                    help="evaluate only this corpus (repeatable; default: all)")
    ap.add_argument("--no-misses", action="store_true", help="print the scores only, not the misses")
    ap.add_argument("--taxonomy", type=Path, default=None, help="taxonomy YAML instead of the bundled one")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object instead: per corpus the scorer's figures and the classify rate "
                         "(null for a corpus that is absent)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        res = Resources.load(args.taxonomy)
    except (OSError, ValueError) as e:
        print(f"eval: cannot load the resources: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    scorer_path = args.shared / "spec" / "score.py"
    scorer = load_scorer(scorer_path)
    out: dict[str, dict | None] = {}
    with contextlib.redirect_stdout(io.StringIO()) if args.json else contextlib.nullcontext():
        print(f"resources loaded in {time.perf_counter() - t0:.2f}s")
        if scorer is None:
            print(f"scorer {scorer_path} absent: results are run but not scored")
        for name in args.corpus or ("seeds", "dev"):
            out[name] = evaluate(corpora(args.shared)[name], res, scorer, misses=not args.no_misses)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
