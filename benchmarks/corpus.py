"""A synthetic corpus of ~4 KB Arabic articles for benchmarks.

Built from the bundled sample articles (producers/samples/articles.jsonl):
paragraphs are shuffled and combined with a fixed seed, so every article is
distinct (no exact duplicates) yet reads like the real thing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import orjson

SAMPLES = Path(__file__).resolve().parent.parent / "producers" / "samples" / "articles.jsonl"


def paragraphs() -> list[str]:
    out = []
    for line in SAMPLES.read_bytes().splitlines():
        if line.strip():
            out += [p.strip() for p in orjson.loads(line)["text"].splitlines() if len(p.strip()) > 40]
    return out


def articles(n: int, size: int = 4096, seed: int = 7) -> list[dict]:
    return list(generate(n, size, seed))


def generate(n: int, size: int = 4096, seed: int = 7) -> Iterator[dict]:
    """The articles of `articles` one at a time (a long run need not hold them all)."""
    rng = random.Random(seed)
    paras = paragraphs()
    for i in range(n):
        body: list[str] = []
        while sum(len(p.encode()) for p in body) < size:
            body.append(rng.choice(paras))
        yield {"id": f"bench-{i}", "title": body[0][:80], "text": "\n".join(body)}
