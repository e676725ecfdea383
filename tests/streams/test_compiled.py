"""The compiled modules of the stages and the views (marsad.streams.compiled, marsad.deploy.native).

The compiled modules must give the same output as their sources, and a
compiled module older than its source must never run."""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from benchmarks.corpus import articles
from benchmarks.eval import corpora, read_jsonl
from marsad.streams import compiled

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "producers" / "samples" / "articles.jsonl"
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))


# Texts written for this test: number words, ranges, money and counts of people in both languages, where a
# compiled module could read an int as a float.
WRITTEN = (
    "Police seized four kilograms of hashish and three tons of cannabis near Albu Kamal on Monday.",
    "Two people were killed and 3 others injured when a drone struck a car in Qamishli yesterday.",
    "Customs officers found between 150 and 180 kg of heroin and $7 million in cash at the Nasib crossing.",
    "ضبطت الشرطة ثلاثة كيلوغرامات من الحشيش وخمسة آلاف حبة كبتاغون في ريف درعا أمس.",
    "قتل ثلاثة عناصر وأصيب أربعة آخرون بهجوم لخلية من داعش على حاجز في بادية الميادين مساء الثلاثاء.",
    "اعتقلت قوى الأمن الداخلي عشرات الأشخاص و12 مطلوباً في حملة مداهمات بمدينة الحسكة، وصادرت مليوني ليرة سورية.",
)


def _run(*args: str, pure: bool, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}
    if pure:
        env[compiled.PURE_ENV] = "1"
    return subprocess.run([sys.executable, *args], input=stdin, capture_output=True, env=env, check=True,
                          cwd=ROOT, timeout=240)


def _inputs() -> bytes:
    """The bundled samples, the texts above, 300 articles of the benchmark's corpus (half of them dated), and
    ../shared's seeds and dev set when present: texts with many incidents, dates, counts and places."""
    lines = SAMPLES.read_bytes().splitlines() + [orjson.dumps({"id": f"written-{k}", "text": text}) for k, text in
                                                 enumerate(WRITTEN)]
    for k, a in enumerate(articles(300)):
        doc = {"id": f"bench-{k}", "title": a["title"], "text": a["text"]}
        if k % 2:
            doc["published"] = f"2026-03-0{1 + k % 9}T12:00:00Z"
        lines.append(orjson.dumps(doc))
    for corpus in corpora(SHARED).values():
        if corpus.missing() is None:
            lines += [orjson.dumps(doc) for doc in corpus.inputs({g["id"]: g for g in read_jsonl(corpus.gold)})]
    return b"\n".join(line for line in lines if line.strip()) + b"\n"


def test_the_manifest_tells_a_changed_source(tmp_path: Path) -> None:
    manifest = tmp_path / "compiled.json"
    now, python = compiled.digests(), sys.implementation.cache_tag
    manifest.write_text(json.dumps({"python": python, "modules": now}))
    assert compiled.stale(manifest) == []
    changed = dict(now, **{compiled.MODULES[1]: "0" * 64})
    manifest.write_text(json.dumps({"python": python, "modules": changed}))
    assert compiled.stale(manifest) == [compiled.MODULES[1]]
    manifest.write_text(json.dumps({"python": "cpython-299", "modules": now}))
    assert compiled.stale(manifest) == list(compiled.MODULES)
    manifest.write_text("not json")
    assert compiled.stale(manifest) == list(compiled.MODULES)
    assert compiled.stale(tmp_path / "absent.json") == list(compiled.MODULES)


def test_every_compiled_module_has_its_source() -> None:
    for module in compiled.MODULES:
        assert compiled.source_of(module).is_file(), module


def test_the_sources_run_when_asked() -> None:
    probe = ("import sys, marsad.streams.extract.incidents; "
             "print(sys.modules['marsad.streams.extract.incidents.counts'].__file__)")
    assert _run("-c", probe, pure=True).stdout.decode().strip().endswith("counts.py")
    # a module of the views imported first, before any of the stages: the guard has run already
    probe = "import marsad.consumers.rows as m; print(m.__file__)"
    assert _run("-c", probe, pure=True).stdout.decode().strip().endswith("rows.py")


def test_a_compiled_copy_of_a_module_no_longer_compiled_never_runs() -> None:
    """An extension beside a source that `MODULES` does not list (left by another version's build, whose list
    was longer) would shadow its source: the guard imports the source and says so."""
    module = "marsad.streams.dedup.verdict"
    assert module not in compiled.MODULES
    stray = ROOT / "streams" / "dedup" / f"verdict{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    stray.write_bytes(b"")  # not a loadable extension: importing it would fail
    try:
        assert module in compiled.strays()
        done = _run("-c", f"import {module} as m; print(m.__file__)", pure=False)
        assert done.stdout.decode().strip().endswith("verdict.py")
        assert b"does not compile (marsad.streams.dedup.verdict)" in done.stderr
        assert stray in compiled.stray_files()
        if compiled.extensions() and not compiled.stale():  # current: the build step (make setup) only removes it
            built = _run("-m", "marsad.deploy.native", pure=False)
            assert not stray.exists() and b"removed 1 compiled files" in built.stdout
    finally:
        stray.unlink(missing_ok=True)
    assert module not in compiled.strays()


# The views' rows and hashes of these events, as one line each (run both ways by the test below).
VIEW_ROWS = """
import sys
import orjson
from benchmarks.bench_replay import events
from marsad.consumers.incidents.rows import incident_rows
from marsad.consumers.prepare import prepare_value
from marsad.schemas.codec import encode
from tests.consumers.factory import article
from tests.consumers.incidents.events import incident, revision
evs = [*events(300, 2048), *map(article, range(40)), article(3, title="كلمة \\u0000 حرفياً", pills=-0.0)]
for ev in evs:
    for backend in ("sqlite", "postgres"):
        print(repr(prepare_value(encode(ev), backend)))
for i in range(40):
    e = incident(i)
    print(repr(incident_rows(e)), repr(incident_rows(revision(e, 3))))
"""


@pytest.mark.skipif(not compiled.extensions(), reason="the views' modules are not compiled here (no C compiler?)")
def test_compiled_and_sources_make_the_same_view_rows() -> None:
    assert "compiled" in _run("-m", "marsad.deploy.native", "--check", pure=False).stdout.decode(), \
        "compiled copies present but stale: run `make setup`"
    fast = _run("-c", VIEW_ROWS, pure=False).stdout
    slow = _run("-c", VIEW_ROWS, pure=True).stdout
    assert fast.count(b"\n") == 2 * 341 + 40
    assert fast == slow


@pytest.mark.skipif(not compiled.extensions(), reason="the incident coder is not compiled here (no C compiler?)")
def test_compiled_and_sources_print_the_same() -> None:
    assert "compiled" in _run("-m", "marsad.deploy.native", "--check", pure=False).stdout.decode(), \
        "compiled copies present but stale: run `make setup`"
    stdin = _inputs()
    fast = _run("-m", "marsad.deploy.cli.main", "classify", pure=False, stdin=stdin).stdout
    slow = _run("-m", "marsad.deploy.cli.main", "classify", pure=True, stdin=stdin).stdout
    assert fast.count(b"\n") == stdin.count(b"\n")
    assert b'"incidents":[{' in fast
    assert fast == slow
