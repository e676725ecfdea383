"""`python -m benchmarks.eval` on a tiny labelled folder written here: scores, misses, skips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import eval as evaluation
from benchmarks.eval_misses import misses_of
from tests.conftest import SHARED

ARTICLE = ("ضبطت الجمارك 2.5 مليون حبة كبتاغون في درعا.\n"
           "شارك عبر: فيسبوك | تويتر\n"
           "وقالت وزارة الداخلية إن المهربين فروا باتجاه الحدود.")
GOLD = {
    "a1": {"id": "a1", "topics": ["narcotics", "security_ops"], "topics_optional": ["smuggling"],
           "places": [{"name": "درعا", "lat": 32.6189, "lon": 36.1021, "required": True}],
           "countries": ["SY"], "countries_optional": [], "orgs": ["sdf"], "orgs_optional": [],
           "quantities": [{"value": 2500000, "unit": "pill", "item": "captagon"}],
           "boilerplate": ["شارك عبر: فيسبوك | تويتر"],
           "keep": ["ضبطت الجمارك 2.5 مليون حبة كبتاغون في درعا."], "incidents": []},
}


def _write_corpus(shared: Path, folder: str, gold_path: Path) -> None:
    articles = shared / folder
    articles.mkdir(parents=True)
    (articles / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    gold_path.parent.mkdir(parents=True, exist_ok=True)
    gold_path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in GOLD.values()), encoding="utf-8")


def test_without_the_scorer_it_runs_lists_misses_and_says_it_did_not_score(tmp_path: Path, capsys) -> None:
    _write_corpus(tmp_path, "seeds", tmp_path / "spec" / "seeds-gold.jsonl")
    assert evaluation.main(["--shared", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "scorer" in out and "absent" in out
    assert "== seeds: 1 articles" in out and "classify rate" in out
    assert "== dev: skipped" in out  # no dev folder here
    assert "[orgs]" in out and "a1: - sdf" in out  # a gold org the article does not name
    assert "[boilerplate]" not in out  # the share bar went


def test_with_the_scorer_it_prints_the_figures(tmp_path: Path, capsys) -> None:
    scorer = SHARED / "spec" / "score.py"
    if not scorer.is_file():
        pytest.skip(f"no scorer at {scorer}")
    (tmp_path / "spec").mkdir()
    shutil.copy(scorer, tmp_path / "spec" / "score.py")  # a copy in the test's own folder, by path
    _write_corpus(tmp_path, "dev/articles", tmp_path / "dev" / "gold.jsonl")
    assert evaluation.main(["--shared", str(tmp_path), "--corpus", "dev"]) == 0
    out = capsys.readouterr().out
    assert "quantities   1.000  1.000  1.000" in out
    assert "orgs" in out and "overall F1" in out
    assert "boilerplate removed 1/1  body kept 1/1" in out
    assert "a1: - sdf" in out


def test_misses_match_places_by_distance_and_quantities_by_value() -> None:
    gold = [GOLD["a1"]]
    results = {"a1": {"id": "a1", "clean_text": ARTICLE, "topics": [{"id": "narcotics"}, {"id": "military"}],
                      "places": [{"name": "Daraa", "lat": 32.62, "lon": 36.10}],
                      "countries": ["SY", "JO"], "orgs": [],
                      "quantities": [{"value": 2_500_001, "unit": "pill", "item": "captagon"},
                                     {"value": 5, "unit": "kg", "item": "hashish"}]}}
    misses = {field: rows for field, rows in misses_of(gold, results).items() if rows}
    assert misses["topics"] == [("a1", ["security_ops"], ["military"])]
    assert misses["countries"] == [("a1", [], ["JO"])]
    assert misses["quantities"] == [("a1", [], ["5 kg hashish"])]
    assert misses["boilerplate"] == [("a1", ["kept «شارك عبر: فيسبوك | تويتر»"], [])]
    assert "places" not in misses


def test_json_output_is_one_object_per_corpus(tmp_path: Path, capsys) -> None:
    _write_corpus(tmp_path, "seeds", tmp_path / "spec" / "seeds-gold.jsonl")
    assert evaluation.main(["--shared", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dev"] is None
    assert out["seeds"]["articles"] == 1 and out["seeds"]["classify_rate"] > 0


def test_a_bad_taxonomy_is_one_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("topics: [\n", encoding="utf-8")
    assert evaluation.main(["--shared", str(tmp_path), "--taxonomy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eval: cannot load the resources:") and err.count("\n") == 1
