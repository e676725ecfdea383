"""Bundled sample data: a feed registry and a static news site for the demo and tests.

``SAMPLES_DIR`` holds ``feeds.yaml`` (URLs relative to wherever ``site/`` is
served), ``feeds.opml``, ``articles.jsonl`` and ``site/``; ``stories.yaml``
is the text they are rendered from by ``build_site``.
"""

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent
SITE_DIR = SAMPLES_DIR / "site"
FEEDS_YAML = SAMPLES_DIR / "feeds.yaml"
FEEDS_OPML = SAMPLES_DIR / "feeds.opml"
ARTICLES_JSONL = SAMPLES_DIR / "articles.jsonl"
